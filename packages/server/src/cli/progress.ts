/**
 * A one-line progress bar on a TTY; plain periodic lines elsewhere (CI logs). Counts bytes
 * (shown in MB) unless `unit` names what is counted ("turns", "memories").
 */
export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  unit: 'MB' | (string & {}) = 'MB',
) {
  const scale = unit === 'MB' ? 1e6 : 1;
  const started = performance.now();
  let lastPrinted = -1;
  const tty = stream.isTTY === true;
  return {
    update(done: number): void {
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const percent = Math.floor(ratio * 100);
      if (!tty && percent < lastPrinted + 10 && percent !== 100) return;
      if (tty && percent === lastPrinted && done < total) return;
      lastPrinted = percent;
      const seconds = (performance.now() - started) / 1000;
      const rate = done / scale / Math.max(seconds, 0.001);
      const width = 28;
      const filled = Math.round(ratio * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${(done / scale).toFixed(0)}/${(total / scale).toFixed(0)} ${unit} ${rate.toFixed(0)} ${unit}/s`;
      stream.write(tty ? `\r${line}` : `${line}\n`);
    },
    done(): void {
      if (tty) stream.write('\n');
    },
  };
}
