/**
 * A cheap look at the first bytes before ffprobe: ffprobe guesses formats generously (a .txt can open as "tty"
 * video), so a file that is plainly text is rejected here with a clear reason.
 */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
  }
  if (printable !== head.length) return false;
  // High bytes are fine only if the whole head is valid UTF-8 (binary media is almost never).
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, trimToUtf8Boundary(head)));
    return true;
  } catch {
    return false;
  }
}

// The head may cut a multi-byte character in half; decode up to the last complete one.
function trimToUtf8Boundary(b: Uint8Array): number {
  let end = b.length;
  for (let i = b.length - 1; i >= Math.max(0, b.length - 4); i--) {
    const byte = b[i] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) end = i;
    break;
  }
  return end;
}
