/** Removes secrets and personal data from text kept for error reports. */
export function redact(text: string): string {
  return text
    .replace(/\b(sk|pk|rk)[-_][A-Za-z0-9_-]{8,}/g, '$1_[redacted]')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[jwt]')
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]')
    .replace(/(api[_-]?key|password|secret|token)(["'\s:=]+)[^\s"',}]+/gi, '$1$2[redacted]');
}

/** Shapes a message so that occurrences differing only in ids and numbers group together. */
export function normaliseForFingerprint(text: string): string {
  return redact(text)
    .replace(/\b[a-z]+_[A-Za-z0-9_-]{8,}\b/g, ':id')
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27,}\b/gi, ':uuid')
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 300);
}
