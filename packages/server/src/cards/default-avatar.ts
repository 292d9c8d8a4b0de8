import { deflateSync } from 'node:zlib';
import { writePngChunks } from './png-chunks.js';

const SIZE = 128;

/**
 * A small avatar PNG for cards exported without an image: a disc on a square, both coloured from
 * a hash of the name so each character gets a stable colour of its own.
 */
export function defaultAvatarPng(name: string): Uint8Array {
  const hue = hashString(name) % 360;
  const background = hslToRgb(hue, 0.45, 0.35);
  const disc = hslToRgb(hue, 0.55, 0.7);
  const rowBytes = 1 + SIZE * 3;
  const pixels = new Uint8Array(rowBytes * SIZE);
  const centre = (SIZE - 1) / 2;
  const radius2 = (SIZE * 0.36) ** 2;
  for (let y = 0; y < SIZE; y++) {
    pixels[y * rowBytes] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) {
      const colour = (x - centre) ** 2 + (y - centre) ** 2 <= radius2 ? disc : background;
      pixels.set(colour, y * rowBytes + 1 + x * 3);
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, SIZE);
  view.setUint32(4, SIZE);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filtering, no interlace
  return writePngChunks([
    { type: 'IHDR', data: header },
    { type: 'IDAT', data: new Uint8Array(deflateSync(pixels, { level: 9 })) },
    { type: 'IEND', data: new Uint8Array(0) },
  ]);
}

function hashString(value: string): number {
  let hash = 2166136261;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  return hash >>> 0;
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}
