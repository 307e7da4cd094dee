// Rasterises build/icon.svg with the system Chromium (playwright-core, no download) into
// the PNGs electron-builder and the tray use, and packs build/icon.ico (PNG-compressed
// entries, which Windows Vista and later read). Run: node build/scripts/make-icons.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const here = (p) => new URL(`../${p}`, import.meta.url);
const svg = readFileSync(here('icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

async function render(size) {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  const img = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${img}" width="${size}" height="${size}"></body></html>`);
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  await page.close();
  return png;
}

function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const dir = Buffer.alloc(16 * images.length);
  let offset = 6 + dir.length;
  images.forEach(({ size, png }, i) => {
    const e = i * 16;
    dir.writeUInt8(size >= 256 ? 0 : size, e);
    dir.writeUInt8(size >= 256 ? 0 : size, e + 1);
    dir.writeUInt16LE(1, e + 4); // colour planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(png.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, dir, ...images.map((x) => x.png)]);
}

mkdirSync(here('icons'), { recursive: true });
const sizes = [16, 32, 48, 64, 128, 256, 512];
const pngs = new Map();
for (const s of sizes) pngs.set(s, await render(s));
await browser.close();
writeFileSync(here('icon.png'), pngs.get(512));
for (const s of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(here(`icons/${s}x${s}.png`), pngs.get(s));
writeFileSync(here('icons/tray.png'), pngs.get(64));
writeFileSync(here('icon.ico'), ico([16, 32, 48, 256].map((size) => ({ size, png: pngs.get(size) }))));
console.log('wrote build/icon.png, build/icon.ico, build/icons/*.png');
