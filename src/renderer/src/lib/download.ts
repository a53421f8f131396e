/** Downloads a URL as a file named `fileName` (same-origin URLs only: the browser honours the name for those). */
export function downloadUrl(url: string, fileName: string): void {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}

/** Saves bytes as a file through the browser's download path (in Electron, the app's download handling). */
export function saveBytes(bytes: Uint8Array, fileName: string, mimeType: string): void {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType });
  const url = URL.createObjectURL(blob);
  downloadUrl(url, fileName);
  // Give the download time to start before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
