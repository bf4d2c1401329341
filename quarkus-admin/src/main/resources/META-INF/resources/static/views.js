// Document views: the list, and an editor whose preview follows the definition as it is typed. Uses app.js's helpers.
'use strict';

const VIEW_EXAMPLE = {
  name: 'orders', pipeline: '', root: 'shop.orders', columns: [],
  relations: [{name: 'customer', kind: 'one', table: 'shop.customers', on: {customer_id: 'id'}, columns: ['name', 'city']}]
};

/** A definition as the editor shows it: indented, without the nulls that mean "none" or "all". */
function pretty(definition) {
  return JSON.stringify(definition, (k, v) => v === null ? undefined : v, 2);
}

function viewState(st) {
  if (!st) return badge('stopped');
  if (st.problems.length) return badge('failed');
  return st.waitingFor.length ? badge('waiting') : badge('running');
}

/** The editor: pipeline, root, suggestions, the JSON definition, its problems and a live preview of its documents. */
function viewEditor(stored) {
  return '<div class="cols"><div><h2>' + (stored ? 'Definition' : 'New view') + '</h2><form class="card" id="view-form"><div class="grid">'
    + '<label>Pipeline <select name="pipeline" id="view-pipeline"></select></label>' + field('root', 'Root table (database.table)', 'shop.orders')
    + '</div><div class="actions" style="margin:8px 0"><button type="button" id="suggest">Add relations from foreign keys</button></div>'
    + '<label>Definition (JSON)<textarea id="definition" rows="18" spellcheck="false" class="mono"></textarea></label>'
    + '<div id="view-problems"></div><div class="actions" style="margin-top:12px"><button class="primary" type="submit" id="save-view">'
    + (stored ? 'Save and rebuild' : 'Create') + '</button>' + (stored ? '<button type="button" class="danger" id="delete-view">Delete</button>' : '')
    + '</div></form></div><div><h2>Preview <span class="muted" id="preview-note"></span></h2><pre id="preview" class="mono">…</pre></div></div>';
}

/** Wires the editor: every change of the text is parsed and previewed after a short pause; saving creates or replaces. */
async function wireViewEditor(definition, stored) {
  const form = document.getElementById('view-form');
  const text = document.getElementById('definition');
  const problems = document.getElementById('view-problems');
  const preview = document.getElementById('preview');
  const pipelines = await api('GET', '/pipelines');
  const select = document.getElementById('view-pipeline');
  select.innerHTML = pipelines.map(p => '<option>' + esc(p.name) + '</option>').join('');
  if (!definition.pipeline && pipelines.length) definition.pipeline = pipelines[0].name;
  text.value = pretty(definition);
  select.value = definition.pipeline;
  form.root.value = definition.root || '';

  const parsed = () => {
    try { return JSON.parse(text.value); } catch (e) {
      const at = /position (\d+)/.exec(e.message);
      const line = at ? text.value.slice(0, Number(at[1])).split('\n').length : null;
      problems.innerHTML = '<div class="why">The definition is not JSON' + (line ? ' (line ' + line + ')' : '') + ': ' + esc(e.message) + '</div>';
      return null;
    }
  };
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const view = parsed();
    if (!view) return;
    select.value = view.pipeline || '';
    if (document.activeElement !== form.root) form.root.value = view.root || '';
    const mine = ++asked;
    if (!view.root) {
      // Nothing to preview yet; asking would only be refused.
      problems.innerHTML = '';
      document.getElementById('preview-note').textContent = 'choose a root table';
      preview.textContent = '…';
      return;
    }
    try {
      const docs = await api('POST', '/views/preview', {view, limit: 3});
      if (mine !== asked) return;
      problems.innerHTML = '';
      document.getElementById('preview-note').textContent = docs.length ? 'the first ' + docs.length + ' document(s), from the current rows' : 'no rows in the root table';
      preview.textContent = docs.map(d => JSON.stringify(d, null, 2)).join('\n\n');
    } catch (e) {
      if (mine !== asked) return;
      problems.innerHTML = errorHtml(e);
      document.getElementById('preview-note').textContent = 'of the last valid definition';
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 400); };
  const edit = change => {
    const view = parsed();
    if (!view) return;
    change(view);
    text.value = pretty(view);
    later();
  };
  text.addEventListener('input', later);
  select.addEventListener('change', () => edit(v => { v.pipeline = select.value; }));
  form.root.addEventListener('change', () => edit(v => { v.root = form.root.value.trim(); }));
  document.getElementById('suggest').onclick = async () => {
    const view = parsed();
    if (!view) return;
    try {
      const found = await api('GET', '/views/suggestions?' + new URLSearchParams({pipeline: view.pipeline || '', table: view.root || ''}));
      const have = new Set((view.relations || []).map(r => r.name));
      const added = found.filter(r => !have.has(r.name));
      edit(v => { v.relations = (v.relations || []).concat(added); });
      toast(added.length ? 'Added ' + added.map(r => r.name).join(', ') : 'No foreign key of ' + view.root + ' left to add');
    } catch (e) { problems.innerHTML = errorHtml(e); }
  };
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const view = parsed();
    if (!view) return;
    try {
      const saved = stored ? await api('PUT', '/views/' + encodeURIComponent(stored), view) : await api('POST', '/views', view);
      toast('View ' + saved.definition.name + (stored ? ' saved; its documents are being rebuilt' : ' created; its documents are being built'));
      if (!stored || saved.definition.name !== stored) location.href = '/views/' + encodeURIComponent(saved.definition.name);
    } catch (e) { problems.innerHTML = errorHtml(e); }
  });
  const del = document.getElementById('delete-view');
  if (del) del.onclick = async () => {
    if (confirm('Delete view ' + stored + '? The documents it wrote stay in the sinks.')) {
      await act('DELETE', '/views/' + encodeURIComponent(stored), undefined, () => { location.href = '/views'; });
    }
  };
  // The example names tables that may not exist here: it is previewed once someone edits it.
  if (stored) refresh(); else document.getElementById('preview-note').textContent = 'edit the example to see its documents';
}

pages.views = async () => {
  app.innerHTML = '<h1>Views</h1><p class="muted">One document from several tables, rebuilt whole whenever any of its rows changes, and written to'
    + ' its pipeline\'s sinks. The preview reads the current rows; nothing is written until you create the view.</p><div class="live-error"></div>'
    + '<table id="views"></table>' + viewEditor(null);
  live(async () => {
    const views = await api('GET', '/views');
    document.getElementById('views').innerHTML = '<tr><th>View</th><th>Pipeline</th><th>Root</th><th>State</th><th>Changes</th><th>Documents</th><th>Amplification</th></tr>'
      + (views.map(v => '<tr data-view="' + esc(v.definition.name) + '"><td><a href="/views/' + encodeURIComponent(v.definition.name) + '">' + esc(v.definition.name)
        + '</a></td><td>' + esc(v.definition.pipeline) + '</td><td>' + esc(v.definition.root) + '</td><td class="state">' + viewState(v.status)
        + '</td><td class="num">' + rate(v.status && v.status.changes) + '</td><td class="num documents">' + rate(v.status && v.status.documents)
        + '</td><td class="num">' + (v.status ? v.status.amplification.toFixed(2) : '–') + '</td></tr>').join('')
        || '<tr><td colspan="7" class="muted">None yet: write one below.</td></tr>');
  });
  await wireViewEditor(JSON.parse(JSON.stringify(VIEW_EXAMPLE)), null);
};

pages.view = async () => {
  const name = subject;
  const path = '/views/' + encodeURIComponent(name);
  const v = await api('GET', path);
  app.innerHTML = '<h1>View ' + esc(name) + '</h1><div class="live-error"></div><div id="view-why"></div><div class="kpis" id="view-kpis"></div>'
    + '<div class="actions"><button id="rebuild-view">Rebuild every document</button><label>Sink <select id="verify-sink"></select></label>'
    + '<label><input type="checkbox" id="verify-repair" style="width:auto"> repair</label><button id="verify-view">Verify</button></div>'
    + '<div id="verify-result"></div><h2>Background rebuilds</h2><table id="view-rebuilds"></table>' + viewEditor(name);
  const pipeline = (await api('GET', '/pipelines')).find(p => p.name === v.definition.pipeline);
  document.getElementById('verify-sink').innerHTML = (pipeline ? pipeline.sinks : []).map(s => '<option>' + esc(s) + '</option>').join('');
  document.getElementById('rebuild-view').onclick = () => act('POST', path + '/rebuild', undefined, r => toast('Rebuild ' + r.rebuild + ' started'));
  document.getElementById('verify-view').onclick = async () => {
    const out = document.getElementById('verify-result');
    const started = await act('POST', path + '/verify', {sink: document.getElementById('verify-sink').value, repair: document.getElementById('verify-repair').checked});
    if (!started) return;
    let r = started;
    while (r.state === 'running') {
      out.innerHTML = '<div class="card">Verification ' + r.id + ' ' + badge('running') + ' ' + rate(r.rowsChecked) + ' documents checked</div>';
      await new Promise(done => setTimeout(done, 1000));
      r = await api('GET', '/verifications/' + r.id);
    }
    out.innerHTML = '<div class="card" id="verification">Verification ' + r.id + ' ' + badge(r.state) + ' against ' + esc(r.sink) + ': '
      + rate(r.rowsChecked) + ' documents checked, <b class="missing">' + r.missing + '</b> missing, <b class="stale">' + r.stale + '</b> stale, <b class="extra">'
      + r.extra + '</b> extra' + (r.repair ? ', ' + r.repaired + ' repaired' : '') + (r.reason ? '<div class="why">' + esc(r.reason) + '</div>' : '') + '</div>';
  };
  let last = null;
  live(async () => {
    const [now, rebuilds] = await Promise.all([api('GET', path), api('GET', path + '/rebuilds')]);
    const st = now.status;
    const at = Date.now();
    const perSecond = st && last && at > last.at ? Math.max(0, (st.documents - last.documents) * 1000 / (at - last.at)) : null;
    if (st) last = {at, documents: st.documents};
    document.getElementById('view-why').innerHTML = st && st.problems.length ? '<div class="why" id="view-reason">' + st.problems.map(esc).join('<br>') + '</div>'
      : st && st.waitingFor.length ? '<div class="why warn">Waiting for the registered schema of ' + esc(st.waitingFor.map(t => t.database + '.' + t.table).join(', ')) + '</div>' : '';
    document.getElementById('view-kpis').innerHTML = [['State', viewState(st)], ['Source', esc(now.source)], ['Changes looked at', rate(st && st.changes)],
      ['Documents rebuilt', rate(st && st.documents)], ['Rebuilt/s', rate(perSecond)], ['Handed to rebuilds', rate(st && st.handedOver)],
      ['Amplification', st ? st.amplification.toFixed(2) : '–']].map(k => '<div class="kpi"><span class="muted">' + k[0] + '</span><b>' + k[1] + '</b></div>').join('');
    document.getElementById('view-rebuilds').innerHTML = '<tr><th>#</th><th>State</th><th>Documents</th><th>Done</th><th>Started</th><th>Finished</th></tr>'
      + (rebuilds.map(r => '<tr data-rebuild="' + r.id + '"><td>' + r.id + '</td><td class="state">' + badge(r.state.toLowerCase()) + (r.reason ? '<div class="muted">' + esc(r.reason) + '</div>' : '')
        + '</td><td class="num">' + (r.keys === 0 ? 'every' : rate(r.keys)) + '</td><td class="num done">' + rate(r.done) + '</td><td>' + when(r.createdAt) + '</td><td>' + when(r.finishedAt) + '</td></tr>').join('')
        || '<tr><td colspan="6" class="muted">None.</td></tr>');
  });
  await wireViewEditor(v.definition, name);
};
