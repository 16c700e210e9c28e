/** One floating tooltip for the whole page (canvases cannot have title attributes per shape). */
let el: HTMLDivElement | undefined;

export function showTooltip(clientX: number, clientY: number, lines: string[]): void {
  if (!el) {
    el = document.createElement('div');
    el.className = 'tooltip';
    document.body.append(el);
  }
  el.replaceChildren(
    ...lines.map((l, i) => {
      const d = document.createElement('div');
      d.textContent = l;
      if (i === 0) d.className = 'tooltip-title';
      return d;
    }),
  );
  el.style.display = 'block';
  const w = el.offsetWidth;
  const h = el.offsetHeight;
  const x = clientX + 14 + w > window.innerWidth ? clientX - 14 - w : clientX + 14;
  const y = clientY + 14 + h > window.innerHeight ? clientY - 14 - h : clientY + 14;
  el.style.left = `${Math.max(0, x)}px`;
  el.style.top = `${Math.max(0, y)}px`;
}

export function hideTooltip(): void {
  if (el) el.style.display = 'none';
}
