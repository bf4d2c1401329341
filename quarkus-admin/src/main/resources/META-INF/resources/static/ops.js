// Sluice web UI, operations: the alerts the server raised, where they go, and silences. Uses app.js's helpers.
'use strict';

pages.alerts = async () => {
  app.innerHTML = '<h1>Alerts</h1><div class="live-error"></div><p class="muted" id="receivers"></p>'
    + '<h2>Firing</h2><table id="open-alerts"></table>'
    + '<h2>Silences</h2><table id="silences"></table>'
    + '<h2>Silence alerts for a time</h2><form class="card" id="new-silence"><div class="grid">'
    + '<label>Kind <select name="kind" id="silence-kind"><option value="">every kind</option></select></label>'
    + '<label>Subject <input name="subject" id="silence-subject" list="silence-subjects" placeholder="shop, cache, orders/*"></label><datalist id="silence-subjects"></datalist>'
    + '<label>For <select name="minutes"><option value="30">30 minutes</option><option value="60">1 hour</option><option value="240">4 hours</option>'
    + '<option value="1440">1 day</option><option value="10080">1 week</option></select></label>'
    + field('comment', 'Why', 'database upgrade') + '</div><p class="muted">A silenced alert is still raised and shown here; it is sent once the silence ends, if it still fires.</p>'
    + '<div id="silence-problems"></div><div class="actions"><button class="primary" type="submit">Silence</button></div></form>'
    + '<h2>History</h2><table id="alert-history"></table>';
  const [first, sources, sinks, pipelines] = await Promise.all([api('GET', '/alerts'), api('GET', '/sources'), api('GET', '/sinks'), api('GET', '/pipelines')]);
  document.getElementById('silence-kind').innerHTML += first.kinds.map(k => '<option value="' + esc(k.kind) + '">' + esc(k.kind) + ' — ' + esc(k.description) + '</option>').join('');
  document.getElementById('silence-subjects').innerHTML = [...sources.map(s => s.name), ...sinks.map(s => s.name), ...pipelines.map(p => p.name)]
    .map(n => '<option value="' + esc(n) + '">').join('');
  const row = a => '<tr><td>' + badge(a.open ? 'firing' : 'resolved') + '</td><td>' + esc(a.kind) + '</td><td><code>' + esc(a.subject) + '</code></td><td>'
    + esc(a.summary) + '</td><td>' + when(a.startedAt) + '</td><td>' + when(a.resolvedAt) + '</td><td>'
    + (a.silencedBy ? badge('silenced') + ' ' : '') + (a.firingSent ? 'sent' + (a.resolvedSent ? ', resolved sent' : '') : a.silencedBy ? '' : 'not sent yet')
    + (a.deliveryError ? '<div class="bad">' + esc(a.deliveryError) + '</div>' : '') + '</td><td class="actions">'
    + (a.open ? '<button data-silence-kind="' + esc(a.kind) + '" data-silence-subject="' + esc(a.subject) + '">Silence…</button>' : '') + '</td></tr>';
  const head = '<tr><th></th><th>Kind</th><th>Subject</th><th>What</th><th>Since</th><th>Resolved</th><th>Delivery</th><th></th></tr>';
  const load = async () => {
    const [overview, silences] = await Promise.all([api('GET', '/alerts'), api('GET', '/alerts/silences')]);
    document.getElementById('receivers').textContent = overview.receivers.length ? 'Sent to ' + overview.receivers.join(', ') + '.'
      : 'No receiver is configured: alerts are shown here only (see sluice.alerts.webhook-urls and sluice.alerts.slack-urls).';
    document.getElementById('open-alerts').innerHTML = head + (overview.open.map(row).join('') || '<tr><td colspan="8" class="muted">Nothing is firing.</td></tr>');
    document.getElementById('alert-history').innerHTML = head + (overview.history.map(row).join('') || '<tr><td colspan="8" class="muted">No alert yet.</td></tr>');
    document.getElementById('silences').innerHTML = '<tr><th>Kind</th><th>Subject</th><th>Until</th><th>Why</th><th>By</th><th></th></tr>'
      + (silences.map(s => '<tr><td>' + esc(s.kind || 'every kind') + '</td><td><code>' + esc(s.subject || '*') + '</code></td><td>' + when(s.endsAt) + '</td><td>'
        + esc(s.comment) + '</td><td>' + esc(s.createdBy) + '</td><td><button data-end-silence="' + s.id + '">End now</button></td></tr>').join('')
        || '<tr><td colspan="6" class="muted">No silence.</td></tr>');
  };
  app.addEventListener('click', async ev => {
    const silence = ev.target.closest('button[data-silence-kind]');
    const end = ev.target.closest('button[data-end-silence]');
    if (silence) {
      document.getElementById('silence-kind').value = silence.dataset.silenceKind;
      document.getElementById('silence-subject').value = silence.dataset.silenceSubject;
      document.getElementById('new-silence').scrollIntoView();
    }
    if (end) await act('DELETE', '/alerts/silences/' + end.dataset.endSilence, undefined, () => { toast('Silence ended'); load(); });
  });
  document.getElementById('new-silence').addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    try {
      await api('POST', '/alerts/silences', {kind: f.get('kind') || null, subject: f.get('subject') || null, minutes: Number(f.get('minutes')), comment: f.get('comment') || null});
      document.getElementById('silence-problems').innerHTML = '';
      toast('Silenced');
      load();
    } catch (e) { document.getElementById('silence-problems').innerHTML = errorHtml(e); }
  });
  live(load);
};

const CHART_TITLES = {'events-per-second': 'Events per second', 'written-per-second': 'Changes written per second', 'freshness-p99': 'Freshness p99 (commit to target)',
  'lag': 'Capture lag', 'dead-letters': 'New dead letters'};

/** One measure over the last hour as an inline SVG line; gaps where nothing was measured. */
function lineChart(line, everySeconds) {
  const w = 320, h = 90, pad = 4;
  const values = line.points.map(p => p.value);
  const top = Math.max(1, ...values.filter(v => v !== null));
  const span = 3600 / everySeconds;
  const x = i => pad + (w - 2 * pad) * (span - (line.points.length - 1 - i)) / span;
  const y = v => h - pad - (h - 2 * pad) * v / top;
  const paths = [];
  let current = [];
  line.points.forEach((p, i) => {
    if (p.value === null) { if (current.length) paths.push(current); current = []; return; }
    current.push(x(i).toFixed(1) + ',' + y(p.value).toFixed(1));
  });
  if (current.length) paths.push(current);
  const last = values.length ? values[values.length - 1] : null;
  const fmt = v => v === null ? '–' : line.unit === 'ms' ? ms(Math.round(v)) : v < 10 && v % 1 ? v.toFixed(1) : rate(v);
  return '<figure class="chart-line" data-measure="' + esc(line.measure) + '"><figcaption>' + esc(CHART_TITLES[line.measure] || line.measure)
    + ' <b>' + fmt(last) + '</b> <span class="muted">(max ' + fmt(values.some(v => v !== null) ? top : null) + ')</span></figcaption>'
    + '<svg viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" role="img" aria-label="' + esc(CHART_TITLES[line.measure]) + ' over the last hour">'
    + '<line x1="0" y1="' + (h - pad) + '" x2="' + w + '" y2="' + (h - pad) + '" class="axis"/>'
    + paths.map(p => p.length === 1 ? '<circle cx="' + p[0].split(',')[0] + '" cy="' + p[0].split(',')[1] + '" r="1.5"/>' : '<polyline points="' + p.join(' ') + '"/>').join('')
    + '</svg><div class="muted chart-axis"><span>−1 h</span><span>now</span></div></figure>';
}

/** Fills element {@code id} with the charts of an API path under /charts, and again every ten seconds while the page is open. */
function charts(id, path) {
  const draw = async () => {
    const el = document.getElementById(id);
    if (!el) return;
    try {
      const c = await api('GET', '/charts' + path);
      el.innerHTML = c.lines.map(l => lineChart(l, c.everySeconds)).join('')
        + (c.lines.every(l => l.points.length === 0) ? '<p class="muted">The server samples every ' + c.everySeconds + ' s; the first points appear shortly.</p>' : '');
    } catch (e) { el.innerHTML = errorHtml(e); }
  };
  draw();
  setInterval(draw, 10000);
}
