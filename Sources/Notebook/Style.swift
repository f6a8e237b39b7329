/// The site's one stylesheet, inlined into every page (no external fonts, scripts or CDNs):
/// a readable measure, system fonts, light and dark colours from `prefers-color-scheme`.
package enum Style {
    package static let css = """
    :root {
      color-scheme: light dark;
      --bg: #fdfdfb; --fg: #1d2126; --muted: #5d6570; --faint: #8a929c; --border: #e3e4df;
      --sidebar: #f6f6f2; --code-bg: #f3f3ef; --code-fg: #1d2126; --accent: #0b5ed7; --accent-soft: #e7efff;
      --ok: #1a7f37; --ok-bg: #eaf6ec; --bad: #b42318; --bad-bg: #fff1f0; --bad-border: #f1b4ae;
      --warn: #8a5a00; --warn-bg: #fff8e6; --warn-border: #ecd39a;
      --kw: #8839c8; --str: #0c5c2c; --num: #0550ae; --com: #6e7781; --typ: #9a4a00; --attr: #c4271c;
      --shadow: 0 1px 2px rgba(0,0,0,.06), 0 2px 8px rgba(0,0,0,.04);
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #15171b; --fg: #e3e5e8; --muted: #a3abb5; --faint: #7d858f; --border: #2c3037;
        --sidebar: #1a1d22; --code-bg: #1f2228; --code-fg: #e3e5e8; --accent: #7cb0ff; --accent-soft: #1d2a40;
        --ok: #5cd178; --ok-bg: #14281a; --bad: #ff9b93; --bad-bg: #2d1719; --bad-border: #6e2d31;
        --warn: #f0c66b; --warn-bg: #2a2315; --warn-border: #5e4c22;
        --kw: #d2a8ff; --str: #9bd8a8; --num: #79c0ff; --com: #8b949e; --typ: #ffb86b; --attr: #ff8c82;
        --shadow: 0 1px 2px rgba(0,0,0,.4);
      }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: var(--bg); color: var(--fg);
      font: 17px/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
    a { color: var(--accent); text-decoration-thickness: 1px; text-underline-offset: 2px; }
    code, pre, kbd { font-family: ui-monospace, "SF Mono", SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
    :not(pre) > code { font-size: .86em; background: var(--code-bg); padding: .1em .35em; border-radius: 4px; }
    pre { font-size: .8em; line-height: 1.55; overflow-x: auto; margin: 0; tab-size: 4; }

    .layout { display: flex; min-height: 100vh; }
    .sidebar { flex: 0 0 17rem; background: var(--sidebar); border-right: 1px solid var(--border);
      padding: 1.5rem 1.1rem; font-size: .9rem; line-height: 1.45; position: sticky; top: 0; height: 100vh; overflow-y: auto; }
    .sidebar .book-title { display: block; font-weight: 650; font-size: 1.02rem; color: var(--fg); text-decoration: none; margin-bottom: 1.1rem; }
    .sidebar ol { list-style: none; margin: 0; padding: 0; }
    .sidebar li { margin: .15rem 0; }
    .sidebar a { color: var(--muted); text-decoration: none; display: block; padding: .22rem .5rem; border-radius: 6px; }
    .sidebar a:hover { color: var(--fg); background: var(--accent-soft); }
    .sidebar .current > a { color: var(--fg); font-weight: 600; background: var(--accent-soft); }
    .sidebar .toc { margin: .2rem 0 .5rem .6rem; border-left: 1px solid var(--border); }
    .sidebar .toc a { font-size: .84rem; padding: .12rem .6rem; border-radius: 0 6px 6px 0; }
    .sidebar .toc .level-3 a { padding-left: 1.3rem; }
    .sidebar .mark { float: right; font-size: .8em; }
    .sidebar .mark.bad { color: var(--bad); }

    main { flex: 1; min-width: 0; padding: 2.5rem 2rem 4rem; }
    main > .home { display: none; font-size: .85rem; text-decoration: none; margin-bottom: 1rem; }
    .page { max-width: 50em; margin: 0 auto; }
    h1, h2, h3, h4 { line-height: 1.25; font-weight: 680; letter-spacing: -.01em; }
    h1 { font-size: 2.1rem; margin: 0 0 .6rem; }
    h2 { font-size: 1.45rem; margin: 2.6rem 0 .8rem; padding-bottom: .3rem; border-bottom: 1px solid var(--border); }
    h3 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
    .anchor { visibility: hidden; margin-left: .35em; color: var(--faint); text-decoration: none; font-weight: 400; }
    h2:hover .anchor, h3:hover .anchor, h4:hover .anchor { visibility: visible; }
    p, ul, ol, blockquote, table { margin: 0 0 1.05em; }
    blockquote { margin-left: 0; padding: .1em 1em; border-left: 3px solid var(--border); color: var(--muted); }
    img { max-width: 100%; }
    hr { border: 0; border-top: 1px solid var(--border); margin: 2rem 0; }
    table { border-collapse: collapse; font-size: .92em; }
    th, td { border: 1px solid var(--border); padding: .35em .7em; }
    .prose pre, pre.code { background: var(--code-bg); color: var(--code-fg); border-radius: 8px; padding: .85em 1.1em; }
    .prose pre { margin: 0 0 1.05em; }

    .meta { display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center; color: var(--muted);
      font-size: .86rem; margin: 0 0 1.8rem; }
    .badge { display: inline-block; font-size: .8rem; font-weight: 600; padding: .12rem .55rem; border-radius: 999px; }
    .badge.ok { color: var(--ok); background: var(--ok-bg); }
    .badge.bad { color: var(--bad); background: var(--bad-bg); }
    .badge.quick { color: var(--warn); background: var(--warn-bg); }
    .badge.none { color: var(--muted); background: var(--code-bg); }

    .cell { margin: 1.4rem 0 1.6rem; }
    .cell-head { display: flex; gap: .6rem; justify-content: flex-end; align-items: baseline; font-size: .75rem;
      color: var(--faint); margin: 0 .2rem .25rem; font-variant-numeric: tabular-nums; }
    .cell-head a { color: inherit; text-decoration: none; }
    .cell-head .tag { margin-right: auto; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
    .cell-head .tag.warn { color: var(--warn); }
    .cell.failed pre.code { box-shadow: inset 3px 0 0 var(--bad); }
    .cell.not-run pre.code, .cell.skipped pre.code { opacity: .78; }
    .outputs > * { margin-top: .6rem; }
    pre.output, pre.stderr { padding: .55em 1.1em; border-left: 3px solid var(--border); max-height: 28em; overflow: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    pre.stderr { border-left-color: var(--warn-border); color: var(--muted); }
    .figures { display: flex; flex-wrap: wrap; gap: .9rem; align-items: flex-start; }
    .figures.grid { display: grid; grid-template-columns: repeat(var(--columns), minmax(0, 1fr)); gap: .7rem; align-items: start; }
    figure { margin: 0; max-width: 100%; }
    figure img { display: block; width: 100%; height: auto; border-radius: 6px; box-shadow: var(--shadow); background: var(--code-bg); }
    img.pixelated { image-rendering: pixelated; }
    figcaption { font-size: .8rem; color: var(--muted); text-align: center; margin-top: .35rem; line-height: 1.35; }
    ul.checks { list-style: none; padding: 0; font-size: .88rem; }
    ul.checks li { padding: .15rem 0; }
    ul.checks .pass::before { content: "✓"; color: var(--ok); font-weight: 700; margin-right: .5em; }
    ul.checks .fail { color: var(--bad); }
    ul.checks .fail::before { content: "✗"; font-weight: 700; margin-right: .5em; }
    ul.checks .where { color: var(--faint); font-size: .85em; margin-left: .4em; }
    .box { border: 1px solid; border-radius: 8px; padding: .7rem 1rem; font-size: .9rem; }
    .box.failure { background: var(--bad-bg); border-color: var(--bad-border); }
    .box.expected { background: var(--warn-bg); border-color: var(--warn-border); }
    .box .title { font-weight: 650; }
    .box.failure .title { color: var(--bad); }
    .box.expected .title { color: var(--warn); }
    .box .where { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .85em; color: var(--muted); }
    .box .message { margin: .3rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .box pre { margin-top: .5rem; font-size: .76rem; color: var(--muted); }
    .box details summary { cursor: pointer; color: var(--muted); font-size: .85em; margin-top: .4rem; }
    .box ul { margin: .4rem 0 0; padding-left: 1.2rem; }
    .chapter-failures { margin-bottom: 1.6rem; }

    .rerun { margin-top: 3rem; font-size: .85rem; color: var(--muted); }
    .pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 1.2rem; padding-top: 1.2rem; border-top: 1px solid var(--border); }
    .pager a { display: block; max-width: 48%; padding: .6rem .9rem; border: 1px solid var(--border); border-radius: 8px; text-decoration: none; }
    .pager a:hover { border-color: var(--accent); }
    .pager .label { display: block; font-size: .75rem; color: var(--faint); }
    .pager .next { margin-left: auto; text-align: right; }

    .index .page { max-width: 52em; }
    .index h1 { font-size: 2.5rem; margin-top: 1rem; }
    .intro { font-size: 1.05rem; color: var(--muted); margin-bottom: 2.2rem; }
    .cards { list-style: none; padding: 0; display: grid; gap: 1rem; }
    .cards a { display: flex; gap: 1.1rem; align-items: center; padding: .8rem; border: 1px solid var(--border); border-radius: 10px;
      text-decoration: none; color: var(--fg); background: var(--bg); }
    .cards a:hover { border-color: var(--accent); box-shadow: var(--shadow); }
    .cards .thumb { flex: 0 0 96px; height: 96px; border-radius: 6px; object-fit: cover; background: var(--code-bg); }
    .cards .thumb.empty { display: flex; align-items: center; justify-content: center; font-size: 2.2rem; font-weight: 700; color: var(--faint); }
    .cards .number { font-size: .75rem; color: var(--faint); text-transform: uppercase; letter-spacing: .05em; }
    .cards .name { font-size: 1.15rem; font-weight: 650; margin: .1rem 0 .25rem; }
    .cards .facts { font-size: .82rem; color: var(--muted); }
    .footer { margin-top: 3rem; font-size: .8rem; color: var(--faint); }

    @media (max-width: 64rem) {
      .layout { flex-direction: column; }
      .sidebar { order: 2; position: static; height: auto; border-right: 0; border-top: 1px solid var(--border); padding: 1.2rem; }
      .sidebar .toc { display: none; }
      main > .home { display: block; }
      main { padding: 1.6rem 1.1rem 3rem; }
    }
    @media (max-width: 40rem) {
      body { font-size: 16px; }
      .figures.grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
      h1 { font-size: 1.7rem; }
    }
    @media print { .sidebar, .pager, .rerun { display: none; } main { padding: 0; } }
    .kw { color: var(--kw); } .str { color: var(--str); } .num { color: var(--num); }
    .com { color: var(--com); font-style: italic; } .typ { color: var(--typ); } .attr { color: var(--attr); }
    """
}
