// Photos: downscale in the browser (smaller uploads on weak mobile networks; re-encoding through
// a canvas also drops EXIF, including GPS) and a thumbnail list with accessible remove buttons.
import { t } from './i18n.js';

export const MAX_PHOTOS = 5;
const MAX_EDGE = 2048;
const QUALITY = 0.85;

async function decode(file) {
  if ('createImageBitmap' in window) {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      /* fall through to <img>, which some browsers decode more formats with */
    }
  }
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
  return img;
}

export async function downscale(file) {
  const src = await decode(file);
  const w0 = src.width || src.naturalWidth;
  const h0 = src.height || src.naturalHeight;
  if (!w0 || !h0) throw new Error('empty image');
  const scale = Math.min(1, MAX_EDGE / Math.max(w0, h0));
  const w = Math.max(1, Math.round(w0 * scale));
  const h = Math.max(1, Math.round(h0 * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff'; // transparent PNGs would turn black in JPEG
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(src, 0, 0, w, h);
  if (src.close) src.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  if (!blob) throw new Error('encode failed');
  return blob;
}

let seq = 0;

export class PhotoList {
  // list: <ul>; status: live region; fallbackFocus: element to focus when the last photo goes.
  constructor({ list, status, fallbackFocus, onChange }) {
    Object.assign(this, { list, status, fallbackFocus, onChange });
    this.items = [];
  }

  get count() {
    return this.items.length;
  }

  // Returns a list of error objects for files that could not be added.
  async addFiles(files) {
    const errors = [];
    for (const file of files) {
      if (this.items.length >= MAX_PHOTOS) {
        errors.push({ field: 'photos', code: 'max' });
        break;
      }
      if (file.type && !file.type.startsWith('image/')) {
        errors.push({ field: 'photos', code: 'type', vars: { name: file.name } });
        continue;
      }
      this.status.textContent = t('photos.working');
      try {
        const blob = await downscale(file);
        this.add(blob, file.name);
        this.status.textContent = t('photos.added', { n: this.items.length });
      } catch {
        this.status.textContent = '';
        errors.push({ field: 'photos', code: 'read', vars: { name: file.name } });
      }
    }
    return errors;
  }

  add(blob, name) {
    this.items.push({ key: `p${++seq}`, blob, name: name || 'bild.jpg', url: URL.createObjectURL(blob) });
    this.render();
    this.onChange?.();
  }

  setItems(photos) {
    this.clear();
    for (const p of photos) this.add(p.blob, p.name);
  }

  clear() {
    for (const it of this.items) URL.revokeObjectURL(it.url);
    this.items = [];
    this.render();
  }

  remove(key) {
    const i = this.items.findIndex((x) => x.key === key);
    if (i < 0) return;
    URL.revokeObjectURL(this.items[i].url);
    this.items.splice(i, 1);
    this.render();
    this.status.textContent = t('photos.removed', { n: this.items.length });
    const buttons = this.list.querySelectorAll('button');
    const next = buttons[Math.min(i, buttons.length - 1)];
    (next || this.fallbackFocus).focus();
    this.onChange?.();
  }

  render() {
    this.list.replaceChildren();
    this.items.forEach((it, i) => {
      const li = document.createElement('li');
      const img = document.createElement('img');
      img.src = it.url;
      img.alt = t('photos.thumb', { n: i + 1, name: it.name });
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button-link';
      b.textContent = t('photos.remove', { n: i + 1 });
      b.addEventListener('click', () => this.remove(it.key));
      li.append(img, b);
      this.list.append(li);
    });
  }
}
