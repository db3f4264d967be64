"""The puzzle editor in the browser: a grid of cells to click and type in (Sudoku and other grids of
symbols), or a maze to draw with a brush (wall, open, start, goal).

Its state is a ``Board.editor_value``; the JavaScript below edits that state and tells the page, which turns
it into the task's text (``Board.text_of``). The page's text box is the other way in, for every task.
"""

from __future__ import annotations

TEMPLATE = """
${!value || !value.kind ? '<div class="rc-ed-none">This task is entered as text, in the box below.</div>' : `
<div class="rc-editor" data-kind="${value.kind}">
  ${value.kind === 'maze' ? `<div class="rc-brushes">${[['#', 'wall'], ['.', 'open'], ['S', 'start'], ['G', 'goal']].map(
      ([b, label]) => `<button type="button" class="rc-brush ${(value.brush || '#') === b ? 'rc-on' : ''}" data-b="${b}">${label}</button>`
    ).join('')}</div>` : ''}
  <div class="rc-ed-grid" style="--rc-ed-cell:${Math.max(14, Math.min(40, Math.floor(420 / value.cols)))}px;grid-template-columns:repeat(${value.cols}, var(--rc-ed-cell))">
  ${value.cells.map((ch, i) => {
      const r = Math.floor(i / value.cols), c = i % value.cols;
      const lines = (value.boxes[0] && r && r % value.boxes[0] === 0 ? ' rc-box-top' : '')
        + (value.boxes[1] && c && c % value.boxes[1] === 0 ? ' rc-box-left' : '');
      if (value.kind === 'maze') {
        const role = ch === '#' ? 'wall' : ch === 'S' ? 'start' : ch === 'G' ? 'goal' : 'open';
        return `<div class="rc-ed-maze rc-m-${role}" data-i="${i}" title="row ${r + 1}, column ${c + 1}">${ch === 'S' || ch === 'G' ? ch : ''}</div>`;
      }
      return `<input class="rc-ed-cell${lines}" data-i="${i}" maxlength="2" autocomplete="off" aria-label="row ${r + 1}, column ${c + 1}" value="${ch === value.blank ? '' : ch}">`;
    }).join('')}
  </div>
</div>`}
"""

# Event delegation on the component's element: the cells are redrawn whenever the state changes.
SCRIPT = """
const refocus = (i) => requestAnimationFrame(() => {
  const next = element.querySelector(`.rc-ed-cell[data-i="${i}"]`);
  if (next && document.activeElement !== next) { next.focus(); next.select(); }
});
element.addEventListener('input', (event) => {
  const cell = event.target;
  if (!cell.classList || !cell.classList.contains('rc-ed-cell')) return;
  const value = props.value, i = +cell.dataset.i;
  const typed = cell.value.slice(-1);
  const symbol = typed && typed !== value.blank && value.symbols.includes(typed) ? typed : value.blank;
  cell.value = symbol === value.blank ? '' : symbol;
  const cells = value.cells.slice();
  cells[i] = symbol;
  props.value = {...value, cells};
  trigger('change');
  refocus(i);
});
element.addEventListener('keydown', (event) => {
  const cell = event.target;
  if (!cell.classList || !cell.classList.contains('rc-ed-cell')) return;
  const cols = props.value.cols, count = props.value.cells.length, i = +cell.dataset.i;
  const moves = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols};
  if (event.key in moves) {
    const j = i + moves[event.key];
    if (j >= 0 && j < count) { event.preventDefault(); refocus(j); }
  }
});
element.addEventListener('click', (event) => {
  const brush = event.target.closest('.rc-brush');
  if (brush) { props.value = {...props.value, brush: brush.dataset.b}; return; }
  const spot = event.target.closest('.rc-ed-maze');
  if (!spot) return;
  const value = props.value, chosen = value.brush || '#', i = +spot.dataset.i;
  const cells = value.cells.slice();
  if (chosen === 'S' || chosen === 'G') {
    for (let k = 0; k < cells.length; k++) if (cells[k] === chosen) cells[k] = '.';
    cells[i] = chosen;
  } else {
    cells[i] = chosen === '#' && cells[i] === '#' ? '.' : chosen;
  }
  props.value = {...value, cells};
  trigger('change');
});
"""
