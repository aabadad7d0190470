/**
 * RFC 6381 codec strings read from an MP4 init section: "avc1.PPCCLL" from the avcC box (profile, constraint
 * flags, level exactly as the encoder wrote them) and "mp4a.40.N" from the esds AudioSpecificConfig.
 */
export function codecsFromInit(init: Uint8Array): string[] {
  const codecs: string[] = [];
  const buf = Buffer.from(init.buffer, init.byteOffset, init.byteLength);
  const avcC = buf.indexOf("avcC", 0, "latin1");
  if (avcC >= 0 && avcC + 8 <= buf.length) {
    const hex = (n: number): string => (buf[n] ?? 0).toString(16).padStart(2, "0");
    codecs.push(`avc1.${hex(avcC + 5)}${hex(avcC + 6)}${hex(avcC + 7)}`);
  }
  const esds = buf.indexOf("esds", 0, "latin1");
  if (esds >= 0) {
    // DecoderSpecificInfo (tag 0x05) holds the AudioSpecificConfig; its first 5 bits are the object type.
    const dsi = buf.indexOf(0x05, esds + 8);
    let p = dsi + 1;
    while (p < buf.length && ((buf[p] ?? 0) & 0x80) !== 0) p++;
    const first = buf[p + 1];
    const aot = first === undefined ? 2 : first >> 3;
    codecs.push(`mp4a.40.${aot > 0 && aot < 31 ? aot : 2}`);
  }
  return codecs;
}
