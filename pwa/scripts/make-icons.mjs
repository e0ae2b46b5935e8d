// Draws the app icons (a white "F" on teal) as PNGs into public/icons, with no dependencies.
import { deflateSync } from "node:zlib";
import { mkdirSync, writeFileSync } from "node:fs";

const TEAL = [11, 93, 87, 255];
const WHITE = [255, 255, 255, 255];
const CLEAR = [0, 0, 0, 0];

function crc32(buf) {
  let c;
  const table = [];
  for (let n = 0; n < 256; n++) {
    c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  let crc = 0xffffffff;
  for (const b of buf) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const p = pixel(x / size, y / size);
      raw.set(p, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// The letter F in a unit box, scaled into [lo, hi].
function letterF(u, v, lo, hi) {
  const x = (u - lo) / (hi - lo);
  const y = (v - lo) / (hi - lo);
  if (x < 0 || x > 1 || y < 0 || y > 1) return false;
  const stem = x >= 0.2 && x <= 0.4 && y >= 0.1 && y <= 0.9;
  const top = x >= 0.2 && x <= 0.85 && y >= 0.1 && y <= 0.28;
  const mid = x >= 0.2 && x <= 0.7 && y >= 0.45 && y <= 0.61;
  return stem || top || mid;
}

function rounded(u, v, r) {
  const cx = Math.min(Math.max(u, r), 1 - r);
  const cy = Math.min(Math.max(v, r), 1 - r);
  return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
}

const any = (u, v) => (!rounded(u, v, 0.18) ? CLEAR : letterF(u, v, 0.15, 0.85) ? WHITE : TEAL);
// Maskable: full bleed, the letter inside the 80 % safe zone.
const maskable = (u, v) => (letterF(u, v, 0.25, 0.75) ? WHITE : TEAL);

mkdirSync("public/icons", { recursive: true });
for (const size of [192, 512]) {
  writeFileSync(`public/icons/icon-${size}.png`, png(size, any));
  writeFileSync(`public/icons/maskable-${size}.png`, png(size, maskable));
}
writeFileSync("public/icons/apple-touch-icon.png", png(180, maskable));
console.log("icons written to public/icons");
