/** A one-line progress bar on a TTY; plain periodic lines elsewhere (CI logs). */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
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
      const rate = done / 1e6 / Math.max(seconds, 0.001);
      const width = 28;
      const filled = Math.round(ratio * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${(done / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB ${rate.toFixed(0)} MB/s`;
      stream.write(tty ? `\r${line}` : `${line}\n`);
    },
    done(): void {
      if (tty) stream.write('\n');
    },
  };
}
