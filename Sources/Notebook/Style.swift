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
      --chart-1: #2563eb; --chart-2: #e8590c; --chart-3: #0f9960; --chart-4: #c2255c; --chart-5: #7048e8; --chart-6: #868e96;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #15171b; --fg: #e3e5e8; --muted: #a3abb5; --faint: #7d858f; --border: #2c3037;
        --sidebar: #1a1d22; --code-bg: #1f2228; --code-fg: #e3e5e8; --accent: #7cb0ff; --accent-soft: #1d2a40;
        --ok: #5cd178; --ok-bg: #14281a; --bad: #ff9b93; --bad-bg: #2d1719; --bad-border: #6e2d31;
        --warn: #f0c66b; --warn-bg: #2a2315; --warn-border: #5e4c22;
        --kw: #d2a8ff; --str: #9bd8a8; --num: #79c0ff; --com: #8b949e; --typ: #ffb86b; --attr: #ff8c82;
        --shadow: 0 1px 2px rgba(0,0,0,.4);
        --chart-1: #6ea8fe; --chart-2: #ffa94d; --chart-3: #51cf66; --chart-4: #f783ac; --chart-5: #b197fc; --chart-6: #adb5bd;
      }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: var(--bg); color: var(--fg);
      font: 17px/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
    a { color: var(--accent); text-decoration-thickness: 1px; text-underline-offset: 2px; }
    code, pre, kbd { font-family: ui-monospace, "SF Mono", SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
    :not(pre) > code { font-size: .86em; background: var(--code-bg); padding: .1em .35em; border-radius: 4px; overflow-wrap: anywhere; }
    kbd { font-size: .8em; border: 1px solid var(--border); border-bottom-width: 2px; border-radius: 4px; padding: 0 .3em; }
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
    .sidebar .num { display: inline-block; min-width: 1.3em; color: var(--faint); font-variant-numeric: tabular-nums; }
    .sidebar .mark.bad { color: var(--bad); }
    .sidebar .atlas-link { margin-top: 1rem; padding-top: .6rem; border-top: 1px solid var(--border); border-radius: 0; }
    .atlas-entry { margin-top: 1.5rem; }

    main { flex: 1; min-width: 0; padding: 1.2rem 2rem 4rem; container-type: inline-size; }
    .topbar { display: flex; align-items: center; gap: 1rem; max-width: 50em; margin: 0 auto 1.4rem; }
    .topbar .home { display: none; font-size: .85rem; text-decoration: none; }
    .page { max-width: 50em; margin: 0 auto; overflow-wrap: break-word; }
    .eyebrow { margin: 0 0 .2rem; font-size: .8rem; font-weight: 600; color: var(--faint); text-transform: uppercase; letter-spacing: .06em; }

    .search { position: relative; margin-left: auto; width: min(20rem, 100%); }
    .search input { width: 100%; font: inherit; font-size: .9rem; padding: .4rem .75rem; color: var(--fg); background: var(--code-bg);
      border: 1px solid var(--border); border-radius: 8px; }
    .search input:focus { outline: 2px solid var(--accent); outline-offset: 0; border-color: transparent; }
    .search-results { position: absolute; right: 0; top: calc(100% + .3rem); z-index: 20; width: min(34rem, calc(100vw - 2rem));
      max-height: 70vh; overflow-y: auto; background: var(--bg); border: 1px solid var(--border); border-radius: 10px;
      box-shadow: 0 8px 30px rgba(0,0,0,.18); font-size: .88rem; }
    .search-results ol { list-style: none; margin: 0; padding: .3rem; }
    .search-results a { display: block; padding: .45rem .6rem; border-radius: 6px; color: var(--fg); text-decoration: none; }
    .search-results a:hover, .search-results a:focus { background: var(--accent-soft); outline: none; }
    .search-results .where { display: block; font-weight: 600; color: var(--accent); }
    .search-results .snippet { display: block; color: var(--muted); line-height: 1.4; overflow-wrap: anywhere; }
    .search-results mark { background: var(--warn-bg); color: var(--fg); border-radius: 2px; }
    .search-results .none { margin: 0; padding: .7rem .9rem; color: var(--muted); }
    h1, h2, h3, h4 { line-height: 1.25; font-weight: 680; letter-spacing: -.01em; }
    h1 { font-size: 2.1rem; margin: 0 0 .6rem; }
    h2 { font-size: 1.45rem; margin: 2.6rem 0 .8rem; padding-bottom: .3rem; border-bottom: 1px solid var(--border); }
    h3 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
    .anchor { display: inline-block; margin-left: .2em; padding: 0 .3em; color: var(--faint); text-decoration: none;
      font-weight: 400; opacity: .45; }
    .anchor:hover, .anchor:focus, h2:hover .anchor, h3:hover .anchor, h4:hover .anchor { opacity: 1; color: var(--accent); }
    @media (hover: none) { .anchor { opacity: .8; padding: 0 .5em; } }
    p, ul, ol, blockquote, table { margin: 0 0 1.05em; }
    blockquote { margin-left: 0; padding: .1em 1em; border-left: 3px solid var(--border); color: var(--muted); }
    img { max-width: 100%; }
    hr { border: 0; border-top: 1px solid var(--border); margin: 2rem 0; }
    table { border-collapse: collapse; font-size: .92em; display: block; max-width: 100%; overflow-x: auto; }
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
    .cell.setup details > summary { cursor: pointer; list-style: none; justify-content: flex-start; }
    .cell.setup details > summary::-webkit-details-marker { display: none; }
    .cell.setup details > summary::before { content: "▸"; font-size: .9rem; line-height: 1; }
    .cell.setup details[open] > summary::before { content: "▾"; }
    .cell.setup .cell-head .tag { margin-right: 0; }
    .cell.setup .cell-head .lines { margin-right: auto; }
    .cell.setup details > summary:hover { color: var(--accent); }
    .code-wrap { position: relative; }
    .code-wrap .copy { position: absolute; top: .4rem; right: .4rem; font: inherit; font-size: .72rem; padding: .15rem .5rem;
      color: var(--muted); background: var(--bg); border: 1px solid var(--border); border-radius: 6px; cursor: pointer; opacity: 0; }
    .code-wrap:hover .copy, .code-wrap .copy:focus { opacity: 1; }
    @media (hover: none) { .code-wrap .copy { opacity: .85; } .code-wrap > pre { padding-top: 2.3em; } }
    .cell.failed pre.code { box-shadow: inset 3px 0 0 var(--bad); }
    .cell.not-run pre.code, .cell.skipped pre.code { opacity: .78; }
    .outputs > * { margin-top: .6rem; }
    pre.output, pre.stderr { padding: .55em 1.1em; border-left: 3px solid var(--border); max-height: 28em; overflow: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    pre.stderr { border-left-color: var(--warn-border); color: var(--muted); }
    /* Figures: rows of --c columns of at most --figure px (a short last row centred), centred on the page and allowed to use
       main's whole width (wider than the text) so four 224 px figures fit beside a sidebar. */
    .figures { --gap: .75rem; --c: 1; --wide: min(100cqi, calc(var(--c) * var(--figure, 256px) + (var(--c) - 1) * var(--gap)));
      display: flex; flex-wrap: wrap; justify-content: center; align-items: flex-start; gap: 1rem var(--gap);
      width: var(--wide); margin-left: calc((100% - var(--wide)) / 2); }
    .figures > figure { flex: 0 0 calc((100% - (var(--c) - 1) * var(--gap)) / var(--c) - .1px); }
    .figures.c2 { --c: 2; } .figures.c3 { --c: 3; } .figures.c4 { --c: 4; }
    @container (max-width: 931px) { .figures.c4 { --c: 2; } }
    @container (max-width: 695px) { .figures.c3 { --c: 2; } }
    @container (max-width: 459px) { .figures.c2, .figures.c3, .figures.c4 { --c: 1; } }
    figure { margin: 0; min-width: 0; }
    figure img { display: block; width: 100%; height: auto; border-radius: 6px; box-shadow: var(--shadow); background: var(--code-bg); }
    figure .zoom-link { display: block; cursor: zoom-in; }
    figure.chart svg { display: block; width: 100%; height: auto; color: var(--fg); }
    img.pixelated { image-rendering: pixelated; }
    figcaption { font-size: .8rem; color: var(--muted); text-align: center; margin-top: .35rem; line-height: 1.35; }
    figcaption .source { color: var(--faint); white-space: nowrap; text-decoration: none; }
    figcaption .source:hover { color: var(--accent); text-decoration: underline; }
    .zoom-overlay { position: fixed; inset: 0; z-index: 50; display: flex; flex-direction: column; align-items: center; justify-content: center;
      gap: .8rem; padding: 1rem; background: rgba(10, 12, 15, .88); cursor: zoom-out; }
    .zoom-overlay img { width: min(92vw, 80vh); height: auto; max-height: 80vh; object-fit: contain; border-radius: 4px; background: #fff; }
    .zoom-caption { color: #e3e5e8; font-size: .9rem; text-align: center; max-width: 40rem; }
    .zoom-caption a { color: #9cc3ff; }
    .zoom-close { position: absolute; top: .6rem; right: .8rem; font-size: 1.8rem; line-height: 1; color: #fff; background: none; border: 0; cursor: pointer; }
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

    .index .page, .index .topbar { max-width: 52em; }
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
      .topbar .home { display: block; }
      main { padding: 1rem 1.1rem 3rem; }
    }
    @media (max-width: 40rem) {
      body { font-size: 16px; }
      h1 { font-size: 1.7rem; }
      .topbar { flex-wrap: wrap; gap: .5rem; }
      .search { width: 100%; }
      .pager .label kbd { display: none; }
    }
    @media print { .sidebar, .pager, .rerun, .topbar, .copy { display: none; } main { padding: 0; } }
    .kw { color: var(--kw); } .str { color: var(--str); } .num { color: var(--num); }
    .com { color: var(--com); font-style: italic; } .typ { color: var(--typ); } .attr { color: var(--attr); }
    """
}
