/**
 * MLflow's `_guess_mime_type`: text-like extensions (and the extension-less `MLmodel`/`mlproject`,
 * spelled as MLflow's MLMODEL_FILE_NAME / MLPROJECT_FILE_NAME constants, so `MLproject` is not text)
 * are served as text/plain, everything else by Python's `mimetypes.guess_type` table, with
 * application/octet-stream as the fallback. The table below covers the types Python knows for the
 * files ML runs actually log; rarer ones fall back to octet-stream, which is what MLflow does for
 * anything it does not know.
 */
const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'MLmodel',
  'mlproject',
]);

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/vnd.microsoft.icon',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  mjs: 'text/javascript',
  text: 'text/plain',
  txt: 'text/plain',
  json: 'application/json',
  csv: 'text/csv',
  xml: 'text/xml',
  py: 'text/x-python',
  bat: 'text/plain',
  c: 'text/plain',
  h: 'text/plain',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  h5: 'application/x-hdf5',
  hdf5: 'application/x-hdf5',
  wasm: 'application/wasm',
  pkl: 'application/octet-stream',
  bin: 'application/octet-stream',
  so: 'application/octet-stream',
  ps: 'application/postscript',
  eps: 'application/postscript',
  rtf: 'application/rtf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  mp4: 'video/mp4',
  mpeg: 'video/mpeg',
  mpg: 'video/mpeg',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/x-wav',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
};

/** Python's `mimetypes.encodings_map`: `x.tar.gz` is typed by `.tar`, a bare `.gz` is unknown. */
const ENCODING_SUFFIXES = new Set(['gz', 'z', 'bz2', 'xz', 'br']);

/** Python's `os.path.splitext` extension without the dot ('' when none; leading dots don't count). */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return '';
  if (/^\.+$/.test(name.slice(0, dot + 1))) return '';
  return name.slice(dot + 1);
}

export function guessMimeType(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const ext = extensionOf(base);
  if (TEXT_EXTENSIONS.has(ext === '' ? base : ext)) return 'text/plain';
  let lower = ext.toLowerCase();
  if (ENCODING_SUFFIXES.has(lower)) {
    const inner = base.slice(0, base.length - ext.length - 1);
    lower = extensionOf(inner).toLowerCase();
    if (!lower || ENCODING_SUFFIXES.has(lower)) return 'application/octet-stream';
  }
  return TYPES[lower] ?? 'application/octet-stream';
}
