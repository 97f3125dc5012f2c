#include "etl/diff/html_report.hpp"

#include <fmt/format.h>

#include "etl/io.hpp"

namespace etl::diff {
namespace {

// JSON placed in a <script> element: '<' written as \u003c, so no "</script>" or "<!--" in the
// data can end the element early.
void append_script_safe(std::string& out, std::string_view json) {
  for (char c : json) {
    if (c == '<')
      out += "\\u003c";
    else
      out.push_back(c);
  }
}

constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
.cards { display: flex; gap: 1em; flex-wrap: wrap; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: .6em 1em; min-width: 7em; }
.card b { display: block; font-size: 1.5em; }
table { border-collapse: collapse; margin-top: .5em; }
td, th { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top;
         font-family: ui-monospace, monospace; white-space: pre-wrap; }
th { background: #f4f4f4; font-family: system-ui, sans-serif; }
.old { background: #fde2e2; text-decoration: line-through; }
.new { background: #dcf5dc; }
.more { color: #666; font-style: italic; }
.bar { background: #8ab4f8; height: .8em; display: inline-block; }
)";

// Lays the data out with textContent only: values are shown as text, never parsed as HTML.
constexpr const char* kScript = R"(
const data = JSON.parse(document.getElementById('diff-data').textContent);
const r = data.report, main = document.getElementById('main');
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function show(v) { return v === undefined ? '(absent)' : JSON.stringify(v); }
function keyText(k) { return Object.values(k).map(v => typeof v === 'string' ? v : JSON.stringify(v)).join(', '); }
main.append(el('h1', 'etl-diff: ' + (r.equal ? 'the sets are equal' : 'the sets differ')));
main.append(el('p', 'OLD ' + r.old.source + ' (' + r.old.read + ' records), NEW ' + r.new.source + ' (' + r.new.read + ' records)'));
for (const [side, list] of [['OLD', r.only_in_old], ['NEW', r.only_in_new]])
  if (list && list.length) main.append(el('p', 'fields only in ' + side + ': ' + list.join(', ')));
const cards = el('div', undefined, 'cards');
for (const name of ['added', 'removed', 'changed', 'unchanged', 'rejected']) {
  const c = el('div', undefined, 'card'); c.id = 'count-' + name;
  c.append(el('b', String(r[name])), name); cards.append(c);
}
main.append(cards);
const fields = Object.entries(r.fields_changed || {});
if (fields.length) {
  main.append(el('h2', 'Most changed fields'));
  const t = el('table'); t.id = 'fields';
  const most = fields[0][1];
  for (const [f, n] of fields) {
    const tr = el('tr'); const bar = el('span', undefined, 'bar');
    bar.style.width = Math.max(2, 200 * n / most) + 'px';
    const cell = el('td'); cell.append(bar);
    tr.append(el('td', f), el('td', String(n)), cell); t.append(tr);
  }
  main.append(t);
}
function section(op, title, row, header) {
  const rows = data.changes.filter(c => c.op === op);
  main.append(el('h2', title + ' (' + r[op === 'change' ? 'changed' : op === 'add' ? 'added' : 'removed'] + ')'));
  if (!rows.length) { main.append(el('p', 'none', 'more')); return; }
  const t = el('table'); t.id = op;
  const h = el('tr'); for (const x of header) h.append(el('th', x)); t.append(h);
  for (const c of rows) row(t, c);
  main.append(t);
  if (data.more[op]) main.append(el('p', data.more[op] + ' more not shown here (the NDJSON output has them all)', 'more'));
}
section('change', 'Changed', (t, c) => {
  for (const [f, v] of Object.entries(c.changes)) {
    const tr = el('tr');
    tr.append(el('td', keyText(c.key)), el('td', f), el('td', show(v.old), 'old'), el('td', show(v.new), 'new'));
    t.append(tr);
  }
}, ['key', 'field', 'old', 'new']);
section('add', 'Added, only in NEW', (t, c) => {
  const tr = el('tr'); tr.append(el('td', keyText(c.key)), el('td', JSON.stringify(c.record), 'new')); t.append(tr);
}, ['key', 'record']);
section('remove', 'Removed, only in OLD', (t, c) => {
  const tr = el('tr'); tr.append(el('td', keyText(c.key)), el('td', JSON.stringify(c.record), 'old')); t.append(tr);
}, ['key', 'record']);
)";

}  // namespace

HtmlReport::HtmlReport(std::string path, std::size_t max_rows)
    : m_path(std::move(path)), m_max_rows(max_rows) {}

void HtmlReport::add(ChangeOp op, std::string_view change_json) {
  if (!active()) return;
  auto i = static_cast<std::size_t>(op);
  if (m_kept[i] >= m_max_rows) {
    ++m_left[i];
    return;
  }
  ++m_kept[i];
  while (!change_json.empty() && change_json.back() == '\n') change_json.remove_suffix(1);
  if (!m_changes.empty()) m_changes.push_back(',');
  append_script_safe(m_changes, change_json);
}

void HtmlReport::finish(const std::string& report_json) {
  if (!active()) return;
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>etl-diff report</title><style>";
  page += kStyle;
  page +=
      "</style></head><body><div id=\"main\"></div>\n<script id=\"diff-data\" "
      "type=\"application/json\">{\"report\":";
  std::string report = report_json;
  while (!report.empty() && report.back() == '\n') report.pop_back();
  append_script_safe(page, report);
  page += ",\"more\":{";
  page += fmt::format("\"add\":{},\"remove\":{},\"change\":{}",
                      m_left[static_cast<std::size_t>(ChangeOp::Add)],
                      m_left[static_cast<std::size_t>(ChangeOp::Remove)],
                      m_left[static_cast<std::size_t>(ChangeOp::Change)]);
  page += "},\"changes\":[" + m_changes + "]}</script>\n<script>";
  page += kScript;
  page += "</script></body></html>\n";
  OutputStream out(m_path);
  out.write(page);
  out.commit();
}

}  // namespace etl::diff
