// Sluice web UI: every page reads and changes state through the same /api/v1 as the CLI. No build step, no CDN.
'use strict';

const app = document.getElementById('app');
const page = app.dataset.page;
const subject = app.dataset.subject;
const csrf = document.querySelector('meta[name="csrf-token"]').content;

/** Escapes text for HTML. */
function esc(v) {
  return v === null || v === undefined ? '' : String(v).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}

/** Calls the API; throws an Error carrying the API's message and details. */
async function api(method, path, body) {
  const opts = {method, headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf}};
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch('/api/v1' + path, opts);
  if (r.status === 401) { location.href = '/login'; throw new Error('signed out'); }
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const e = new Error(data && data.message ? data.message : 'HTTP ' + r.status);
    e.details = data && data.details ? data.details : [];
    e.status = r.status;
    throw e;
  }
  return data;
}

function toast(message, bad) {
  const d = document.createElement('div');
  d.textContent = message;
  if (bad) d.className = 'bad';
  document.getElementById('toast').appendChild(d);
  setTimeout(() => d.remove(), bad ? 9000 : 4000);
}

function errorHtml(e) {
  return '<div class="why"><b>' + esc(e.message) + '</b>' + (e.details || []).map(d => '<div><code>' + esc(d.field) + '</code> ' + esc(d.message) + '</div>').join('') + '</div>';
}

function badge(state) { return '<span class="badge ' + esc(state) + '">' + esc(state) + '</span>'; }
function ms(v) { return v === null || v === undefined ? '–' : v < 1000 ? v + ' ms' : (v / 1000).toFixed(1) + ' s'; }
function rate(v) { return v === null || v === undefined ? '–' : Math.round(v).toLocaleString(); }
function when(t) { return t ? new Date(t).toLocaleString() : '–'; }

/** Parses "key=value" lines into an object. */
function keyLines(text) {
  const out = {};
  text.split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('#')).forEach(l => {
    const i = l.indexOf('=');
    if (i > 0) out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
  });
  return out;
}

/** Re-renders every two seconds while the page is open: live status without reloading. */
function live(render) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try { await render(); } catch (e) { if (e.message !== 'signed out') app.querySelector('.live-error') && (app.querySelector('.live-error').innerHTML = errorHtml(e)); }
    running = false;
  };
  tick();
  setInterval(tick, 2000);
}

async function act(method, path, body, done) {
  try {
    const r = await api(method, path, body);
    if (done) done(r);
    return r;
  } catch (e) {
    toast(e.message + (e.details && e.details.length ? ' — ' + e.details.map(d => d.field + ': ' + d.message).join('; ') : ''), true);
    throw e;
  }
}

function sinkHealth(sinks) {
  return (sinks || []).map(s => '<div>' + esc(s.sink) + ' ' + badge(s.healthy ? 'healthy' : 'failing')
    + (s.freshnessP99Ms != null ? ' <span class="muted" title="commit to acknowledged by the target, over the last changes streamed;'
      + ' the binlog\'s commit times are whole seconds, so up to 1 s more than it was">visible in ' + s.freshnessP50Ms + ' ms (p50), '
      + s.freshnessP99Ms + ' ms (p99)</span>' : '')
    + (s.deadLetters ? ' <span class="muted">' + s.deadLetters + ' dead letters</span>' : '') + '</div>').join('') || '<span class="muted">–</span>';
}

function sourceRow(s) {
  const st = s.status;
  return '<tr data-source="' + esc(s.name) + '"><td><a href="/sources/' + encodeURIComponent(s.name) + '">' + esc(s.name) + '</a></td>'
    + '<td class="state">' + badge(st.state) + (st.reason ? '<div class="muted">' + esc(st.reason) + '</div>' : '') + '</td>'
    + '<td class="num">' + ms(st.lagMs) + '</td><td class="num">' + ms(st.freshnessMs) + '</td>'
    + '<td class="num events-per-second">' + rate(st.eventsPerSecond) + '</td><td class="num events">' + rate(st.eventsTotal) + '</td>'
    + '<td>' + sinkHealth(st.sinks) + '</td>'
    + '<td class="actions">' + controls(s.name, st) + '</td></tr>';
}

function controls(name, st) {
  const b = (verb, label, cls) => '<button class="' + (cls || '') + '" data-verb="' + verb + '" data-name="' + esc(name) + '">' + label + '</button>';
  if (st.startedAt === null) return b('start', 'Start', 'primary');
  // Failed with a purged binlog or a missing schema history: its fix names the one-command recovery.
  if (st.state === 'failed' && st.fix && st.fix.includes('/recover)')) return b('recover', 'Recover', 'primary') + b('stop', 'Stop', 'danger');
  // Paused by a person: Resume. Paused by the schema gate: the way out is the review, not Resume.
  const review = st.state === 'paused' && st.desired !== 'paused' ? '<a class="button" href="/schemas">Review the schema change</a>' : '';
  return review + (st.desired === 'paused' ? b('resume', 'Resume', 'primary') : b('pause', 'Pause')) + b('stop', 'Stop', 'danger');
}

app.addEventListener('click', async ev => {
  const t = ev.target.closest('button[data-verb]');
  if (!t) return;
  t.disabled = true;
  try {
    await act('POST', '/sources/' + encodeURIComponent(t.dataset.name) + '/' + t.dataset.verb, undefined,
      r => toast('Source ' + t.dataset.name + ': ' + (t.dataset.verb === 'recover' ? 'recovery ' + r.id + ' started; the timeline shows'
        + ' its steps' : t.dataset.verb + ' done')));
  } catch (e) {
    if (e.status === 409 && t.dataset.verb === 'start' && e.details.length && confirm(e.message + '\n\nStart anyway?')) {
      await act('POST', '/sources/' + encodeURIComponent(t.dataset.name) + '/start?force=true');
    }
  } finally { t.disabled = false; }
});

const SOURCE_HEAD = '<tr><th>Source</th><th>State</th><th title="behind the source\'s commit time, which the binlog gives in whole seconds">Capture lag (±1 s)</th><th title="since the source was last heard from">Heard from</th><th>Events/s</th><th>Events</th><th>Sinks</th><th></th></tr>';

const pages = {
  async overview() {
    app.innerHTML = '<h1>Overview</h1><div class="live-error"></div><div class="kpis" id="kpis"></div><div class="charts" id="charts"></div>'
      + '<h2>Sources</h2><table id="sources">' + SOURCE_HEAD + '</table><h2>Sinks</h2><table id="sinks"></table>';
    charts('charts', '/overview');
    live(async () => {
      const [sources, sinks, alerts] = await Promise.all([api('GET', '/sources'), api('GET', '/sinks'), api('GET', '/alerts?limit=100')]);
      const streaming = sources.filter(s => s.status.state === 'streaming').length;
      const failing = sources.filter(s => ['failed', 'held'].includes(s.status.state)).length;
      const eps = sources.reduce((a, s) => a + (s.status.eventsPerSecond || 0), 0);
      const dead = sinks.reduce((a, s) => a + s.deadLetters, 0);
      document.getElementById('kpis').innerHTML = [['Sources streaming', streaming + ' / ' + sources.length], ['Failing or held', failing],
        ['Events/s', rate(eps)], ['Dead letters', dead], ['<a href="/alerts">Alerts firing</a>', alerts.open.length]]
        .map(k => '<div class="kpi"><span class="muted">' + k[0] + '</span><b>' + k[1] + '</b></div>').join('');
      document.getElementById('sources').innerHTML = SOURCE_HEAD + (sources.map(sourceRow).join('')
        || '<tr><td colspan="8" class="muted">No source yet: <a href="/sources">register one</a>.</td></tr>');
      document.getElementById('sinks').innerHTML = '<tr><th>Sink</th><th>Type</th><th>Health</th><th>Pipelines</th><th>Dead letters</th></tr>'
        + (sinks.map(s => '<tr><td>' + esc(s.name) + '</td><td>' + esc(s.type) + '</td><td>'
          + (s.status.length ? s.status.map(x => badge(x.healthy ? 'healthy' : 'failing') + (x.lastError && !x.healthy ? ' <span class="muted">' + esc(x.lastError) + '</span>' : '')).join('<br>') : '<span class="muted">not in use</span>')
          + '</td><td>' + esc(s.pipelines.join(', ')) + '</td><td class="num">' + s.deadLetters + '</td></tr>').join('')
          || '<tr><td colspan="5" class="muted">No sink yet.</td></tr>');
    });
  },

  async sources() {
    app.innerHTML = '<h1>Sources</h1><div class="live-error"></div><table id="sources">' + SOURCE_HEAD + '</table>'
      + '<h2>Register a source</h2><form class="card" id="new-source"><div class="grid">'
      + field('name', 'Name', 'shop') + '<label>Type <select name="type"><option>mariadb</option><option>mysql</option></select></label>'
      + field('host', 'Host', 'db.internal') + field('port', 'Port', '3306') + field('user', 'User', 'sluice')
      + '<label>Password <input name="password" type="password" autocomplete="new-password"></label>'
      + field('server.id', 'Server id (unique per source)', '5401') + field('databases', 'Databases', 'shop')
      + '</div><label>More keys (key=value per line)<textarea name="extra" placeholder="tables=shop.orders,shop.customers&#10;snapshot.mode=initial"></textarea></label>'
      + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit" id="register">Register and check</button></div></form>'
      + '<div id="preflight"></div>';
    live(async () => {
      const sources = await api('GET', '/sources');
      document.getElementById('sources').innerHTML = SOURCE_HEAD + (sources.map(sourceRow).join('') || '<tr><td colspan="8" class="muted">None yet.</td></tr>');
    });
    document.getElementById('new-source').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const body = {};
      for (const [k, v] of f.entries()) if (k !== 'extra' && v !== '') body[k] = v;
      Object.assign(body, keyLines(f.get('extra')));
      const out = document.getElementById('preflight');
      try {
        const created = await api('POST', '/sources', body);
        out.innerHTML = '<h2>Preflight of ' + esc(created.name) + '</h2>' + findings(created.preflight);
        toast('Source ' + created.name + ' registered');
      } catch (e) { out.innerHTML = errorHtml(e); }
      out.scrollIntoView();
    });
  },

  async source() {
    const name = subject;
    const path = '/sources/' + encodeURIComponent(name);
    app.innerHTML = '<h1>Source ' + esc(name) + '</h1><div class="live-error"></div><div id="why"></div><div class="kpis" id="kpis"></div><div class="charts" id="charts"></div>'
      + '<div class="actions" id="controls"></div><div class="cols"><div><h2>Sinks</h2><div class="card" id="sinks"></div>'
      + '<div id="recovery"></div><h2>Settings</h2><div class="card" id="settings"></div><button id="run-preflight">Run the preflight check</button><div id="preflight"></div></div>'
      + '<div><h2>Timeline</h2><table id="timeline"></table></div></div>';
    charts('charts', '/sources/' + encodeURIComponent(name));
    document.getElementById('run-preflight').onclick = async () => {
      document.getElementById('preflight').innerHTML = findings(await act('POST', path + '/preflight'));
    };
    // A recovery runs by itself after a snapshot taken again, too: a person may stop it (what it repaired stays).
    app.addEventListener('click', async ev => {
      const b = ev.target.closest('[data-cancel-recovery]');
      if (b && confirm('Cancel recovery ' + b.dataset.cancelRecovery + '? What it repaired stays; run the recovery again to finish it.')) {
        await act('POST', path + '/recoveries/' + b.dataset.cancelRecovery + '/cancel', undefined,
          r => toast('Recovery ' + r.id + ': ' + r.state));
      }
    });
    live(async () => {
      const [s, timeline, recoveries] = await Promise.all([api('GET', path),
        api('GET', path + '/timeline?limit=50'), api('GET', path + '/recoveries')]);
      const r = recoveries[0];
      document.getElementById('recovery').innerHTML = r ? '<h2>Latest recovery</h2><div class="card">Recovery ' + r.id + ' ' + badge(r.state)
        + ' <span class="muted">' + esc(r.cause) + ', by ' + esc(r.createdBy) + '</span>'
        + (r.state === 'running' ? '<div>' + esc(r.phase) + ': ' + esc(r.progress || '–') + '</div>' : '')
        + '<div class="muted">' + r.rowsChecked + ' rows checked, ' + r.missing + ' missing, ' + r.stale + ' stale, ' + r.extra + ' extra, '
        + r.repaired + ' repaired</div>' + (r.notes && r.notes.length ? '<ul class="muted notes">' + r.notes.map(n => '<li>' + esc(n) + '</li>').join('') + '</ul>' : '')
        + (r.reason ? '<div class="why">' + esc(r.reason) + '</div>' : '')
        + (r.state === 'running' ? '<button class="danger" data-cancel-recovery="' + r.id + '">Cancel</button>' : '') + '</div>' : '';
      const st = s.status;
      document.getElementById('why').innerHTML = st.reason ? '<div class="why ' + (['failed', 'held'].includes(st.state) ? '' : 'warn') + '" id="reason">'
        + badge(st.state) + ' ' + esc(st.reason) + (st.fix ? '<div class="fix">' + esc(st.fix) + '</div>' : '') + '</div>' : '';
      document.getElementById('kpis').innerHTML = [['State', badge(st.state)], ['Capture lag (±1 s: the binlog\'s commit times are whole seconds)', ms(st.lagMs)], ['Heard from', st.freshnessMs == null ? '–' : ms(st.freshnessMs) + ' ago'],
        ['Events/s', rate(st.eventsPerSecond)], ['Events', rate(st.eventsTotal)], ['Engine restarts', st.restarts]]
        .map(k => '<div class="kpi"><span class="muted">' + k[0] + '</span><b>' + k[1] + '</b></div>').join('')
        + '<div class="kpi"><span class="muted">Position</span><div class="mono">' + esc(st.lastPosition || '–') + '</div></div>';
      document.getElementById('controls').innerHTML = controls(name, st);
      document.getElementById('sinks').innerHTML = sinkHealth(st.sinks) + '<div class="muted">pipelines: ' + esc(st.pipelines.join(', ') || 'none') + '</div>';
      document.getElementById('settings').innerHTML = '<table>' + Object.entries(s.settings).map(([k, v]) => '<tr><td><code>' + esc(k) + '</code></td><td>' + esc(v) + '</td></tr>').join('') + '</table>';
      document.getElementById('timeline').innerHTML = '<tr><th>When</th><th>Who</th><th>What</th></tr>' + timeline.map(e => '<tr><td>' + when(e.at)
        + '</td><td>' + esc(e.actor) + '</td><td><b>' + esc(e.action) + '</b>' + (e.detail ? '<div class="muted">' + esc(e.detail) + '</div>' : '') + '</td></tr>').join('');
    });
  },

  async sinks() {
    app.innerHTML = '<h1>Sinks</h1><table id="sinks"></table><h2>Add a sink</h2><form class="card" id="new-sink"><div class="grid">'
      + field('name', 'Name', 'search') + '<label>Type <select name="type"><option>opensearch</option><option>redis</option><option>lucene</option></select></label></div>'
      + '<label>Keys (key=value per line)<textarea name="config" placeholder="opensearch.urls=http://localhost:9200&#10;target={source}.{table}"></textarea></label>'
      + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit">Add and test the connection</button></div></form><div id="result"></div>'
      + '<h2>Last hour</h2><div id="sink-charts"></div>';
    const named = await api('GET', '/sinks');
    document.getElementById('sink-charts').innerHTML = named.map((s, i) => '<h3>' + esc(s.name) + '</h3><div class="charts" id="sink-chart-' + i + '"></div>').join('')
      || '<p class="muted">No sink yet.</p>';
    named.forEach((s, i) => charts('sink-chart-' + i, '/sinks/' + encodeURIComponent(s.name)));
    const load = async () => {
      const sinks = await api('GET', '/sinks');
      document.getElementById('sinks').innerHTML = '<tr><th>Sink</th><th>Type</th><th>Keys</th><th>Pipelines</th><th>Health</th><th>Dead letters</th><th></th></tr>'
        + (sinks.map(s => '<tr><td>' + esc(s.name) + '</td><td>' + esc(s.type) + '</td><td class="mono">' + Object.entries(s.config).map(([k, v]) => esc(k) + '=' + esc(v)).join('<br>')
          + '</td><td>' + esc(s.pipelines.join(', ')) + '</td><td>' + sinkHealth(s.status) + '</td><td class="num"><a href="/dead-letters#' + encodeURIComponent(s.name) + '">' + s.deadLetters + '</a></td>'
          + '<td><button class="danger" data-delete-sink="' + esc(s.name) + '">Delete</button></td></tr>').join('') || '<tr><td colspan="7" class="muted">None yet.</td></tr>');
    };
    live(load);
    app.addEventListener('click', async ev => {
      const b = ev.target.closest('[data-delete-sink]');
      if (b && confirm('Delete sink ' + b.dataset.deleteSink + '?')) await act('DELETE', '/sinks/' + encodeURIComponent(b.dataset.deleteSink), undefined, load);
    });
    document.getElementById('new-sink').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const out = document.getElementById('result');
      try {
        const s = await api('POST', '/sinks', {name: f.get('name'), type: f.get('type'), config: keyLines(f.get('config'))});
        out.innerHTML = '<div class="why ' + (s.connection.ok ? 'ok' : '') + '">Sink ' + esc(s.name) + ' added. Connection test: '
          + badge(s.connection.ok ? 'ok' : 'error') + ' ' + esc(s.connection.message) + '</div>';
        load();
      } catch (e) { out.innerHTML = errorHtml(e); }
    });
  },

  async pipelines() {
    app.innerHTML = '<h1>Pipelines</h1><table id="pipelines"></table><h2>How data flows</h2><div id="pictures"></div>'
      + '<h2>Add a pipeline</h2><form class="card" id="new-pipeline"><div class="grid">'
      + field('name', 'Name', 'shop-to-search') + '<label>Source <select name="source" id="pipeline-source"></select></label>'
      + '<label>Tables (comma separated, * wildcard; empty for all) <input name="tables" list="pipeline-tables" placeholder="shop.*"></label><datalist id="pipeline-tables"></datalist>'
      + '</div><div>Sinks <div class="checks" id="pipeline-sinks"></div></div>'
      + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit">Add</button></div></form><div id="result"></div>';
    const list = s => s.split(',').map(x => x.trim()).filter(x => x);
    const [sourceChoices, sinkChoices, subjectChoices] = await Promise.all([api('GET', '/sources'), api('GET', '/sinks'), subjects()]);
    document.getElementById('pipeline-source').innerHTML = sourceChoices.map(s => '<option>' + esc(s.name) + '</option>').join('')
      || '<option value="">no source yet: register one first</option>';
    document.getElementById('pipeline-sinks').innerHTML = sinkChoices.map(s => '<label><input type="checkbox" name="sinks" value="' + esc(s.name) + '" style="width:auto"> '
      + esc(s.name) + ' <span class="muted">(' + esc(s.type) + ')</span></label>').join('') || '<span class="muted">no sink yet: add one on the Sinks page</span>';
    const tableChoices = () => {
      const prefix = document.getElementById('pipeline-source').value + '.';
      const tables = subjectChoices.filter(x => x.startsWith(prefix) && x.endsWith('-value')).map(x => x.slice(prefix.length, -'-value'.length)).filter(t => !t.startsWith('views.'));
      const dbs = [...new Set(tables.map(t => t.split('.')[0] + '.*'))];
      document.getElementById('pipeline-tables').innerHTML = dbs.concat(tables).map(t => '<option value="' + esc(t) + '">').join('');
    };
    document.getElementById('pipeline-source').onchange = tableChoices;
    tableChoices();
    const load = async () => {
      const [ps, subs, views] = await Promise.all([api('GET', '/pipelines'), subjects(), api('GET', '/views')]);
      document.getElementById('pictures').innerHTML = ps.map(p => pipelinePicture(p, subs, views)).join('') || '<p class="muted">No pipeline yet.</p>';
      document.getElementById('pipelines').innerHTML = '<tr><th>Pipeline</th><th>Source</th><th>Tables</th><th>Sinks</th><th>State</th><th></th></tr>'
        + (ps.map(p => '<tr><td>' + esc(p.name) + '</td><td><a href="/sources/' + encodeURIComponent(p.source) + '">' + esc(p.source) + '</a></td><td>'
          + esc(p.tables.join(', ') || 'all') + '</td><td>' + esc(p.sinks.join(', ')) + '</td><td>' + (p.status ? badge(p.status.state) + (p.status.reason ? '<div class="muted">' + esc(p.status.reason) + '</div>' : '') : '–')
          + '</td><td><button class="danger" data-delete-pipeline="' + esc(p.name) + '">Delete</button></td></tr>').join('') || '<tr><td colspan="6" class="muted">None yet.</td></tr>');
    };
    live(load);
    app.addEventListener('click', async ev => {
      const b = ev.target.closest('[data-delete-pipeline]');
      if (b && confirm('Delete pipeline ' + b.dataset.deletePipeline + '?')) await act('DELETE', '/pipelines/' + encodeURIComponent(b.dataset.deletePipeline), undefined, load);
    });
    document.getElementById('new-pipeline').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const out = document.getElementById('result');
      try {
        await api('POST', '/pipelines', {name: f.get('name'), source: f.get('source'), tables: list(f.get('tables')), sinks: f.getAll('sinks')});
        out.innerHTML = '';
        toast('Pipeline added; its source (re)starts');
        load();
      } catch (e) { out.innerHTML = errorHtml(e); }
    });
  },

  async schemas() {
    app.innerHTML = '<h1>Schema reviews</h1><h2>Waiting for a decision</h2><table id="pending"></table><h2>Decided</h2><table id="decided"></table>'
      + (app.dataset.role === 'admin' ? '<h2>Review policy</h2><form class="card" id="policy"><div class="grid">'
        + field('subject', 'Subject (empty: the global default)', 'shop.inventory.orders-value')
        + '<label>Policy<select name="policy"><option value="auto">auto: register what is compatible, review the rest</option>'
        + '<option value="review-all">review-all: every change waits for a reviewer</option><option value="locked">locked: no change passes</option></select></label>'
        + '</div><button type="submit" class="primary">Set the policy</button></form>' : '')
      + '<h2>Audit log</h2><table id="audit"></table>';
    const policy = document.getElementById('policy');
    if (policy) policy.addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(policy);
      const subjectName = (f.get('subject') || '').trim();
      const r = await act('PUT', '/schemas/policies' + (subjectName ? '/' + encodeURIComponent(subjectName) : ''), {policy: f.get('policy')});
      toast('Policy of ' + (r.subject || 'every subject without its own') + ': ' + r.policy);
    });
    const row = p => '<tr><td><a href="/schemas/proposals/' + p.id + '">#' + p.id + '</a></td><td>' + esc(p.subject) + '</td><td>' + badge(p.status.toLowerCase())
      + '</td><td>' + esc(p.diff.map(d => d.kind.toLowerCase() + ' ' + d.field).join(', ')) + '</td><td>' + esc(p.createdBy) + '</td><td>' + when(p.createdAt) + '</td></tr>';
    const head = '<tr><th>#</th><th>Subject</th><th>Status</th><th>Changes</th><th>Filed by</th><th>When</th></tr>';
    live(async () => {
      const [all, audit] = await Promise.all([api('GET', '/schemas/proposals'), api('GET', '/schemas/audit?limit=30')]);
      document.getElementById('pending').innerHTML = head + (all.filter(p => p.status === 'PENDING').map(row).join('') || '<tr><td colspan="6" class="muted">Nothing waits.</td></tr>');
      document.getElementById('decided').innerHTML = head + (all.filter(p => p.status !== 'PENDING').slice(-30).reverse().map(row).join('')
        || '<tr><td colspan="6" class="muted">None yet.</td></tr>');
      document.getElementById('audit').innerHTML = '<tr><th>When</th><th>Who</th><th>What</th><th>Of</th><th>Detail</th></tr>' + audit.map(a => '<tr><td>' + when(a.at) + '</td><td>' + esc(a.actor)
        + '</td><td>' + esc(a.action) + '</td><td>' + esc(a.target) + '</td><td>' + esc(a.detail) + '</td></tr>').join('');
    });
  },

  async proposal() {
    const load = async () => {
      const [v, impact] = await Promise.all([api('GET', '/schemas/proposals/' + encodeURIComponent(subject)),
        api('GET', '/schemas/proposals/' + encodeURIComponent(subject) + '/impact')]);
      const p = v.proposal;
      const pretty = s => s ? JSON.stringify(JSON.parse(s), null, 2) : '(new subject)';
      const kindClass = k => k === 'ADDED' ? 'change-added' : k === 'REMOVED' ? 'change-removed' : 'change-other';
      app.innerHTML = '<h1>Proposal #' + p.id + ' · ' + esc(p.subject) + ' ' + badge(p.status.toLowerCase()) + '</h1>'
        + (p.ddl ? '<div class="card"><b>DDL</b><pre>' + esc(p.ddl) + '</pre></div>' : '')
        + '<h2>What changes</h2><table id="diff"><tr><th>Change</th><th>Field</th><th>Before</th><th>After</th></tr>' + p.diff.map(d => '<tr><td class="' + kindClass(d.kind) + '">'
          + esc(d.kind.toLowerCase().replace('_', ' ')) + '</td><td><code>' + esc(d.field) + '</code></td><td class="mono">' + esc(d.before) + '</td><td class="mono">' + esc(d.after) + '</td></tr>').join('') + '</table>'
        + '<h2>Verdicts by compatibility mode</h2><table id="verdicts"><tr><th>Mode</th><th>Verdict</th><th>Why</th></tr>' + Object.entries(p.verdicts).map(([level, vd]) => '<tr><td>' + esc(level)
          + '</td><td>' + badge(vd.compatible ? 'ok' : 'error') + '</td><td>' + esc((vd.messages || []).join('; ')) + '</td></tr>').join('') + '</table>'
        + '<h2>What it reaches</h2><table id="impact"><tr><th>Pipeline</th><th>Sink</th><th>Type</th><th>Index or keys</th></tr>'
          + (impact.map(i => '<tr><td>' + esc(i.pipeline) + '</td><td>' + esc(i.sink) + '</td><td>' + esc(i.type) + '</td><td>' + esc(i.target) + '</td></tr>').join('')
            || '<tr><td colspan="4" class="muted">No pipeline takes this table.</td></tr>') + '</table>'
        + '<h2>Side by side</h2><div class="cols"><div><b>Current</b><pre>' + esc(pretty(p.previousSchema)) + '</pre></div><div><b>Proposed</b><pre>' + esc(pretty(p.schema)) + '</pre></div></div>'
        + (p.status === 'PENDING' ? '<h2>Decide</h2><form class="card" id="decide"><label>Reason<input name="reason" id="reason" required placeholder="why"></label>'
          + '<label>Register under mode (optional override)<select name="levelOverride"><option value="">the subject\'s mode</option>'
          + ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'].map(l => '<option>' + l + '</option>').join('') + '</select></label>'
          + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit" id="approve" data-decision="approve">Approve</button>'
          + '<button class="danger" type="submit" id="reject" data-decision="reject">Reject</button></div></form>'
          : '<div class="card">Decided by ' + esc(p.decidedBy) + ' at ' + when(p.decidedAt) + ': ' + esc(p.decisionReason) + '</div>')
        + '<h2>Comments</h2><div id="comments">' + v.comments.map(c => '<div class="card"><b>' + esc(c.author) + '</b> <span class="muted">' + when(c.createdAt) + '</span><div>' + esc(c.body) + '</div></div>').join('')
        + '</div><form id="comment" class="card"><label>Comment<textarea name="body" required></textarea></label><button type="submit">Comment</button></form>';
      const decide = document.getElementById('decide');
      if (decide) {
        decide.addEventListener('submit', async ev => {
          ev.preventDefault();
          const f = new FormData(decide);
          const body = {reason: f.get('reason')};
          if (f.get('levelOverride')) body.levelOverride = f.get('levelOverride');
          await act('POST', '/schemas/proposals/' + p.id + '/' + ev.submitter.dataset.decision, body, () => toast('Proposal ' + ev.submitter.dataset.decision + 'd'));
          load();
        });
      }
      document.getElementById('comment').addEventListener('submit', async ev => {
        ev.preventDefault();
        await act('POST', '/schemas/proposals/' + p.id + '/comments', {body: new FormData(ev.target).get('body')});
        load();
      });
    };
    load();
  },

  async backfills() {
    app.innerHTML = '<h1>Backfills</h1><p class="muted">Fill a pipeline\'s targets from the live tables, online: rows are read in key chunks and a live change always wins.</p>'
      + '<div class="live-error"></div><table id="backfills"></table><h2>Start a backfill</h2><form class="card" id="new-backfill"><div class="grid">'
      + field('pipeline', 'Pipeline', 'shop-to-search') + field('tables', 'Tables (comma separated; empty for all of the pipeline\'s)', 'shop.orders')
      + field('sink', 'Only this sink (empty for all)', 'search') + field('where', 'Only rows where (SQL)', "created_at >= '2026-01-01'")
      + field('chunkSize', 'Rows per chunk', '2048') + field('rowsPerSecond', 'Rows per second at most (0: no limit)', '0')
      + '<label><input type="checkbox" name="reindex" style="width:auto"> Rebuild the sink\'s search index and swap it in (OpenSearch)</label></div>'
      + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit">Start</button></div></form><div id="result"></div>'
      + '<h2>Verify a target</h2><p class="muted">Compares a table with one sink, chunk by chunk: missing, stale and extra keys (differences still on their way are checked again before they count). Repair re-sends exactly those.</p>'
      + '<table id="verifications"></table><form class="card" id="new-verification"><div class="grid">'
      + field('pipeline', 'Pipeline', 'shop-to-search') + field('table', 'Table', 'shop.orders') + field('sink', 'Sink (needed when the pipeline has several)', 'search')
      + field('where', 'Only rows where (SQL)', '') + '<label><input type="checkbox" name="repair" style="width:auto"> Repair what differs</label></div>'
      + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit">Verify</button></div></form><div id="verify-result"></div>';
    const loadVerifications = async () => {
      const list = await api('GET', '/verifications');
      const sample = v => ['missing', 'stale', 'extra'].filter(k => v.samples && v.samples[k] && v.samples[k].length).map(k => k + ': ' + v.samples[k].join(', ')).join('; ');
      document.getElementById('verifications').innerHTML = '<tr><th>#</th><th>Table</th><th>Sink</th><th>State</th><th>Rows checked</th><th>Missing</th><th>Stale</th><th>Extra</th><th>Repaired</th><th>Started</th></tr>'
        + (list.map(v => '<tr data-verification="' + v.id + '"><td>' + v.id + '</td><td>' + esc(v.table) + (v.where ? '<div class="muted">where ' + esc(v.where) + '</div>' : '') + '</td><td>' + esc(v.sink)
          + '</td><td class="state">' + badge(v.state) + (v.reason ? '<div class="muted">' + esc(v.reason) + '</div>' : '') + (sample(v) ? '<div class="muted">' + esc(sample(v)) + '</div>' : '')
          + '</td><td class="num">' + rate(v.rowsChecked) + '</td><td class="num missing">' + v.missing + '</td><td class="num stale">' + v.stale + '</td><td class="num extra">' + (v.extraChecked || v.state !== 'succeeded' ? v.extra : '–')
          + '</td><td class="num">' + (v.repair ? v.repaired : '–') + '</td><td>' + when(v.createdAt) + '<div class="muted">' + esc(v.createdBy) + '</div></td></tr>').join('') || '<tr><td colspan="10" class="muted">None yet.</td></tr>');
    };
    live(loadVerifications);
    document.getElementById('new-verification').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const body = {pipeline: f.get('pipeline'), table: f.get('table'), repair: f.get('repair') === 'on'};
      ['sink', 'where'].forEach(k => { if (f.get(k).trim()) body[k] = f.get(k).trim(); });
      const out = document.getElementById('verify-result');
      try {
        const created = await api('POST', '/verifications', body);
        out.innerHTML = '';
        toast('Verification ' + created.id + ' started');
        loadVerifications();
      } catch (e) { out.innerHTML = errorHtml(e); }
    });
    const pct = b => b.estimatedRows > 0 ? Math.min(100, Math.round(100 * b.rowsRead / b.estimatedRows)) : null;
    const eta = s => s === null || s === undefined ? '–' : s < 90 ? s + ' s' : Math.round(s / 60) + ' min';
    const load = async () => {
      const list = await api('GET', '/backfills');
      document.getElementById('backfills').innerHTML = '<tr><th>#</th><th>Pipeline</th><th>Tables</th><th>Sinks</th><th>State</th><th>Rows written</th><th>Progress</th><th>Rows/s</th><th>ETA or took</th><th>Started</th><th></th></tr>'
        + (list.map(b => '<tr data-backfill="' + b.id + '"><td>' + b.id + '</td><td>' + esc(b.pipeline) + '</td><td>' + esc(b.tables.join(', '))
          + (b.where ? '<div class="muted">where ' + esc(b.where) + '</div>' : '') + '</td><td>' + esc(b.sinks.join(', ')) + (b.reindex ? '<div class="muted">reindex' + (b.newIndex ? ' into ' + esc(b.newIndex) : '') + '</div>' : '') + '</td><td class="state">' + badge(b.state)
          + (b.reason ? '<div class="muted">' + esc(b.reason) + '</div>' : '') + (b.waitingFor ? '<div class="muted">waiting for the stream to pass ' + esc(b.waitingFor) + '</div>' : '')
          + '</td><td class="num rows">' + rate(b.rowsWritten) + '</td><td>' + (pct(b) === null ? '–' : '<progress max="100" value="' + pct(b) + '"></progress> ' + pct(b) + '%')
          + '</td><td class="num">' + (b.averageRate != null ? rate(b.averageRate) + '<div class="muted">on average</div>' : rate(b.rate))
          + '</td><td class="num">' + (b.durationSeconds != null ? 'took ' + eta(b.durationSeconds) : eta(b.etaSeconds)) + '</td><td>' + when(b.createdAt) + '<div class="muted">' + esc(b.createdBy) + '</div></td><td class="actions">'
          + (b.state === 'running' ? '<button data-backfill-verb="pause" data-id="' + b.id + '">Pause</button>' : '')
          + (b.state === 'paused' || b.state === 'failed' ? '<button class="primary" data-backfill-verb="resume" data-id="' + b.id + '">Resume</button>' : '')
          + (b.state === 'running' || b.state === 'paused' ? '<button class="danger" data-backfill-verb="cancel" data-id="' + b.id + '">Cancel</button>' : '')
          + '</td></tr>').join('') || '<tr><td colspan="11" class="muted">None yet.</td></tr>');
    };
    live(load);
    app.addEventListener('click', async ev => {
      const b = ev.target.closest('[data-backfill-verb]');
      if (b) await act('POST', '/backfills/' + b.dataset.id + '/' + b.dataset.backfillVerb, undefined, load);
    });
    document.getElementById('new-backfill').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const body = {pipeline: f.get('pipeline')};
      const tables = f.get('tables').split(',').map(x => x.trim()).filter(x => x);
      if (tables.length) body.tables = tables;
      ['sink', 'where'].forEach(k => { if (f.get(k).trim()) body[k] = f.get(k).trim(); });
      ['chunkSize', 'rowsPerSecond'].forEach(k => { if (f.get(k).trim()) body[k] = Number(f.get(k)); });
      if (f.get('reindex') === 'on') body.reindex = true;
      const out = document.getElementById('result');
      try {
        const created = await api('POST', '/backfills', body);
        out.innerHTML = '';
        toast('Backfill ' + created.id + ' started');
        load();
      } catch (e) { out.innerHTML = errorHtml(e); }
    });
  },

  async 'dead-letters'() {
    app.innerHTML = '<h1>Dead letters</h1><p class="muted">Events a target refused for good, grouped by error. Replay them once the cause is fixed, or discard them.</p>'
      + '<label>Sink <select id="sink"></select></label><label><input type="checkbox" id="dry" style="width:auto"> Dry run (show what would happen)</label><div id="groups"></div>';
    const sinks = await api('GET', '/sinks');
    const sel = document.getElementById('sink');
    sel.innerHTML = sinks.map(s => '<option' + (location.hash === '#' + encodeURIComponent(s.name) ? ' selected' : '') + '>' + esc(s.name) + '</option>').join('');
    const load = async () => {
      if (!sel.value) { document.getElementById('groups').innerHTML = '<p class="muted">No sink yet.</p>'; return; }
      const groups = await api('GET', '/sinks/' + encodeURIComponent(sel.value) + '/dead-letters');
      document.getElementById('groups').innerHTML = (groups.length ? '<div class="actions" style="margin:12px 0"><button data-dl="replay" data-all="1" class="primary">Replay all</button><button data-dl="discard" data-all="1" class="danger">Discard all</button></div>' : '<p class="muted">Empty.</p>')
        + groups.map(g => '<div class="card"><b>' + g.count + ' × ' + esc(g.example) + '</b><div class="actions" style="margin:8px 0"><button data-dl="replay" data-group="' + esc(g.group) + '">Replay group</button><button data-dl="discard" class="danger" data-group="' + esc(g.group) + '">Discard group</button></div>'
          + g.entries.map(e => '<details><summary>#' + e.id + ' ' + esc(e.table) + ' ' + esc(e.operation) + ' key ' + esc(e.key) + ' · ' + e.attempts + ' attempt(s) · ' + when(e.createdAt)
            + '</summary><div class="why warn">' + esc(e.reason) + '</div><pre>' + esc(e.row) + '</pre><div class="actions"><button data-dl="replay" data-id="' + e.id + '">Replay</button><button data-dl="discard" class="danger" data-id="' + e.id + '">Discard</button></div></details>').join('') + '</div>').join('');
    };
    sel.onchange = load;
    app.addEventListener('click', async ev => {
      const b = ev.target.closest('button[data-dl]');
      if (!b) return;
      const body = {dryRun: document.getElementById('dry').checked};
      if (b.dataset.id) body.ids = [Number(b.dataset.id)]; else if (b.dataset.group) body.group = b.dataset.group; else body.all = true;
      const r = await act('POST', '/sinks/' + encodeURIComponent(sel.value) + '/dead-letters/' + b.dataset.dl, body);
      toast(r.dryRun ? 'Dry run: ' + r.ids.length + ' entries would be ' + b.dataset.dl + 'ed' : b.dataset.dl + ': ' + r.done + ' of ' + r.ids.length + ' done; ' + r.remaining + ' left');
      load();
    });
    load();
  },

  async search() {
    app.innerHTML = '<h1>Search the embedded index</h1><form class="card" id="search-form"><div class="grid"><label>Sink <select name="sink" id="search-sink"></select></label>'
      + field('table', 'Table (source.database.table)', 'demo.shop.products') + field('field', 'Field', 'name') + field('q', 'Words', 'lamp') + '</div>'
      + '<label><input type="checkbox" id="follow" checked style="width:auto"> Follow changes live</label>'
      + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit" id="search-button">Search</button></div></form><div id="hits"></div>';
    const sinks = (await api('GET', '/sinks')).filter(s => s.type === 'lucene');
    document.getElementById('search-sink').innerHTML = sinks.map(s => '<option>' + esc(s.name) + '</option>').join('');
    const form = document.getElementById('search-form');
    // A link may carry the search: /search?sink=index&table=demo.shop.products&field=name&q=lamp
    const params = new URLSearchParams(location.search);
    ['table', 'field', 'q'].forEach(k => { if (params.get(k)) form[k].value = params.get(k); });
    if (params.get('sink')) form.sink.value = params.get('sink');
    if (!form.table.value) form.table.value = 'demo.shop.products';
    const run = async () => {
      const f = new FormData(form);
      if (!f.get('sink')) { document.getElementById('hits').innerHTML = '<p class="muted">No lucene sink yet.</p>'; return; }
      const qs = new URLSearchParams({table: f.get('table'), field: f.get('field'), q: f.get('q'), size: '50'});
      try {
        const r = await api('GET', '/sinks/' + encodeURIComponent(f.get('sink')) + '/search?' + qs);
        const cols = r.hits.length ? Object.keys(r.hits[0]) : [];
        document.getElementById('hits').innerHTML = '<p><b id="total">' + r.total + '</b> matching documents</p><table id="results"><tr>' + cols.map(c => '<th>' + esc(c) + '</th>').join('') + '</tr>'
          + r.hits.map(h => '<tr>' + cols.map(c => '<td>' + esc(typeof h[c] === 'object' ? JSON.stringify(h[c]) : h[c]) + '</td>').join('') + '</tr>').join('') + '</table>';
      } catch (e) { document.getElementById('hits').innerHTML = errorHtml(e); }
    };
    form.addEventListener('submit', ev => { ev.preventDefault(); run(); });
    setInterval(() => { if (document.getElementById('follow').checked) run(); }, 2000);
    run();
  },

  async users() {
    const me = await api('GET', '/me');
    app.innerHTML = '<h1>Users and tokens</h1><h2>My API tokens</h2><table id="tokens"></table><form class="card" id="new-token"><div class="grid">'
      + field('label', 'Label', 'ci') + field('ttlDays', 'Days until it expires (empty: never)', '90') + '</div><button type="submit" class="primary">Issue a token</button></form><div id="issued"></div>'
      + (me.role === 'admin' ? '<h2>Users</h2><table id="users"></table><form class="card" id="new-user"><div class="grid">' + field('name', 'Name', 'alice')
        + '<label>Password<input name="password" type="password" autocomplete="new-password"></label><label>Role<select name="role"><option>viewer</option><option>reviewer</option><option>operator</option><option>admin</option></select></label></div>'
        + '<button type="submit" class="primary">Add user</button></form><div id="user-result"></div>' : '');
    const load = async () => {
      const tokens = await api('GET', '/me/tokens');
      document.getElementById('tokens').innerHTML = '<tr><th>Id</th><th>Label</th><th>Created</th><th>Expires</th><th>Last used</th><th></th></tr>' + (tokens.map(t => '<tr><td class="mono">' + esc(t.id) + '</td><td>' + esc(t.label)
        + '</td><td>' + when(t.createdAt) + '</td><td>' + when(t.expiresAt) + '</td><td>' + when(t.lastUsed) + '</td><td><button class="danger" data-revoke="' + esc(t.id) + '">Revoke</button></td></tr>').join('')
        || '<tr><td colspan="6" class="muted">No token yet.</td></tr>');
      if (me.role === 'admin') {
        const users = await api('GET', '/users');
        document.getElementById('users').innerHTML = '<tr><th>Name</th><th>Role</th><th>Created</th></tr>' + users.map(u => '<tr><td>' + esc(u.name) + '</td><td>' + esc(u.role.toLowerCase()) + '</td><td>' + when(u.createdAt) + '</td></tr>').join('');
      }
    };
    load();
    app.addEventListener('click', async ev => {
      const b = ev.target.closest('[data-revoke]');
      if (b) await act('DELETE', '/me/tokens/' + encodeURIComponent(b.dataset.revoke), undefined, load);
    });
    document.getElementById('new-token').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const body = {label: f.get('label')};
      if (f.get('ttlDays')) body.ttlDays = Number(f.get('ttlDays'));
      const t = await act('POST', '/me/tokens', body);
      document.getElementById('issued').innerHTML = '<div class="why warn">Copy the token now; it is not shown again:<pre id="token">' + esc(t.token) + '</pre></div>';
      load();
    });
    const nu = document.getElementById('new-user');
    if (nu) nu.addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      try {
        await api('POST', '/users', {name: f.get('name'), password: f.get('password'), role: f.get('role')});
        document.getElementById('user-result').innerHTML = '';
        load();
      } catch (e) { document.getElementById('user-result').innerHTML = errorHtml(e); }
    });
  }
};

function field(name, label, placeholder) {
  return '<label>' + esc(label) + ' <input name="' + esc(name) + '" placeholder="' + esc(placeholder) + '"></label>';
}

function findings(report) {
  if (!report) return '';
  return '<table id="findings"><tr><th>Check</th><th>Result</th><th>What and how to fix</th></tr>' + report.findings.map(f => '<tr><td>' + esc(f.check) + '</td><td>'
    + badge(f.severity.toLowerCase()) + '</td><td>' + esc(f.message) + (f.fix ? '<div class="fix">' + esc(f.fix) + '</div>' : '') + '</td></tr>').join('') + '</table>';
}

// After every script of the page: views.js adds its pages to these.
document.addEventListener('DOMContentLoaded', () => pages[page]());
