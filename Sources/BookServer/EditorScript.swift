/// What `fvbook serve` adds to every page it serves (never to the static site): an Edit button on
/// each code cell, the live status of runs, and reloading when the page's chapter was re-run.
///
/// The page talks to the server at `/_fvbook/events` (Server-Sent Events, ``LiveEvent``) and
/// `/_fvbook/edit` (POST a ``CellEditRequest`` with the page's token in `X-FVBook-Token`).
enum EditorScript {
    /// The tags to insert before `</body>` of a page showing `page` (a chapter slug or "index").
    static func tags(token: String, page: String) -> String {
        let config = "{\"token\": \"\(token)\", \"page\": \"\(page.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })\"}"
        return "<style>\(css)</style>\n<script>window.__FVBOOK__ = \(config);</script>\n<script>\(javaScript)</script>\n"
    }

    static let css = """
    .fvbook-edit, .fvbook-run, .fvbook-cancel { font: inherit; font-size: 0.8em; margin-left: 0.6em; padding: 0.1em 0.7em;
      border: 1px solid currentColor; border-radius: 4px; background: transparent; color: inherit; cursor: pointer; }
    .fvbook-run { font-weight: 600; }
    .fvbook-editor { display: block; width: 100%; box-sizing: border-box; font: 0.9em/1.45 ui-monospace, SFMono-Regular, Menlo, monospace;
      padding: 0.8em; border: 2px solid #3b82f6; border-radius: 6px; background: inherit; color: inherit; tab-size: 4; }
    .fvbook-bar { display: flex; gap: 0.4em; align-items: center; margin: 0.4em 0 0.8em; }
    .fvbook-message { font-size: 0.85em; white-space: pre-wrap; }
    .fvbook-message.error { color: #dc2626; }
    section.cell.fvbook-running { outline: 2px solid #f59e0b; outline-offset: 4px; border-radius: 4px; }
    .fvbook-progress { width: 10em; vertical-align: middle; margin-left: 0.6em; }
    #fvbook-status { position: fixed; right: 1em; bottom: 1em; max-width: 32em; padding: 0.5em 0.9em; border-radius: 6px;
      background: #111827; color: #f9fafb; font-size: 0.85em; box-shadow: 0 2px 8px rgba(0,0,0,.3); z-index: 10; white-space: pre-wrap; }
    #fvbook-status:empty { display: none; }
    """

    static let javaScript = #"""
    (() => {
      const config = window.__FVBOOK__;
      const status = document.createElement('div');
      status.id = 'fvbook-status';
      status.setAttribute('role', 'status');
      document.body.appendChild(status);
      const scrollKey = 'fvbook-scroll:' + location.pathname, cellKey = 'fvbook-cell:' + location.pathname;
      const savedScroll = sessionStorage.getItem(scrollKey);
      if (savedScroll !== null) { sessionStorage.removeItem(scrollKey); window.scrollTo(0, Number(savedScroll)); }
      const edited = sessionStorage.getItem(cellKey);
      if (edited) { sessionStorage.removeItem(cellKey); document.getElementById(edited)?.scrollIntoView({block: 'center'}); }
      const reload = () => { sessionStorage.setItem(scrollKey, String(window.scrollY)); location.reload(); };

      for (const section of document.querySelectorAll('section.cell[data-chapter]')) {
        // Set-up cells keep their code in a <details> whose summary is the head.
        const pre = section.querySelector('pre.code');
        const head = section.querySelector('.cell-head');
        if (!pre || !head) continue;
        const edit = document.createElement('button');
        edit.className = 'fvbook-edit';
        edit.textContent = 'Edit';
        edit.title = 'Edit this cell and run the chapter again (' + section.dataset.chapter + ', lines ' + section.dataset.lines + ')';
        head.appendChild(edit);
        edit.addEventListener('click', (event) => {
          event.preventDefault();   // inside a <summary>, a click would fold the cell
          event.stopPropagation();
          const details = pre.closest('details');
          if (details) details.open = true;
          openEditor(section, pre, edit);
        });
      }

      function openEditor(section, pre, edit) {
        const base = pre.textContent;
        const area = document.createElement('textarea');
        area.className = 'fvbook-editor';
        area.value = base;
        area.spellcheck = false;
        area.rows = Math.max(3, base.split('\n').length + 1);
        const bar = document.createElement('div');
        bar.className = 'fvbook-bar';
        const run = document.createElement('button');
        run.className = 'fvbook-run';
        run.textContent = 'Run';
        const cancel = document.createElement('button');
        cancel.className = 'fvbook-cancel';
        cancel.textContent = 'Cancel';
        const message = document.createElement('span');
        message.className = 'fvbook-message';
        bar.append(run, cancel, message);
        pre.replaceWith(area);
        area.after(bar);
        edit.disabled = true;
        area.focus();
        area.addEventListener('keydown', (event) => {
          if (event.key === 'Tab') { event.preventDefault(); area.setRangeText('    ', area.selectionStart, area.selectionEnd, 'end'); }
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run.click(); }
        });
        cancel.addEventListener('click', () => { area.replaceWith(pre); bar.remove(); edit.disabled = false; });
        run.addEventListener('click', async () => {
          run.disabled = true;
          message.className = 'fvbook-message';
          message.textContent = 'saving …';
          try {
            const response = await fetch('/_fvbook/edit', {
              method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-FVBook-Token': config.token},
              body: JSON.stringify({chapter: section.dataset.chapter, cell: Number(section.dataset.cell), base, code: area.value}),
            });
            const text = await response.text();
            if (!response.ok) throw new Error(text);
            sessionStorage.setItem(cellKey, section.id);
            message.textContent = 'saved to ' + section.dataset.chapter + '; running the chapter …';
          } catch (error) {
            message.className = 'fvbook-message error';
            message.textContent = String(error.message || error);
            run.disabled = false;
          }
        });
      }

      function running(cell) {
        for (const old of document.querySelectorAll('.fvbook-running')) old.classList.remove('fvbook-running');
        for (const old of document.querySelectorAll('.fvbook-progress')) old.remove();
        const section = document.getElementById('cell-' + cell);
        if (section) section.classList.add('fvbook-running');
        return section;
      }

      const events = new EventSource('/_fvbook/events?page=' + encodeURIComponent(config.page));
      events.onmessage = (message) => {
        const event = JSON.parse(message.data);
        const mine = event.chapter === config.page;
        if (config.page === 'index') {
          if (event.type === 'finished') reload();
          return;
        }
        if (!mine) return;
        switch (event.type) {
          case 'queued': status.textContent = 'queued: ' + event.chapter; break;
          case 'started': status.textContent = 'running ' + event.chapter + ' …'; break;
          case 'waiting': status.textContent = event.message; break;
          case 'cell':
            running(event.cell);
            status.textContent = 'running cell ' + event.cell + ' (line ' + event.line + ')';
            break;
          case 'render': {
            const section = document.getElementById('cell-' + event.cell);
            let bar = section?.querySelector('.fvbook-progress');
            if (section && !bar) {
              bar = document.createElement('progress');
              bar.className = 'fvbook-progress';
              section.querySelector('.cell-head')?.appendChild(bar);
            }
            if (bar) { bar.max = event.steps; bar.value = event.step; }
            status.textContent = 'running cell ' + event.cell + ': render step ' + event.step + ' of ' + event.steps;
            break;
          }
          case 'finished': reload(); break;
          case 'error': running(-1); status.textContent = event.message; break;
        }
      };
    })();
    """#
}
