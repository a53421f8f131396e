import { ftfyFixText } from './ftfyFixes';
import { pythonHtmlUnescape } from './htmlEntities';
import { htmlText } from './htmlText';
import {
  PY_BOUNDARY as B,
  PY_DIGIT as D,
  PY_END,
  PY_NON_DIGIT,
  PY_NON_SPACE,
  PY_SPACE as S,
  PY_WORD as W,
  PY_WORD_CHARS,
  pyRegex,
  pyStrip,
} from './pythonText';
import { unquotePlus } from './unquotePlus';

/**
 * One pass of the caption cleaning Open-Sora 1.2 applies to every prompt before T5 (`clean_caption` in
 * opensora/models/text_encoder/t5.py at tag v1.2.0, adapted there from PixArt-α). It was made for scraped image
 * captions: it lower-cases, drops URLs, markup, @handles, CJK ideographs, file names, long numbers
 * and shop phrases, and normalizes dashes, quotes and punctuation. Each rule below is one of upstream's, in
 * upstream's order; the regular expressions keep Python's Unicode meaning of `\w`, `\d`, `\s` and `\b`.
 */
export function cleanCaptionOnce(caption: string): string {
  let text = unquotePlusThenLower(caption);
  text = text.replaceAll('<person>', 'person');
  text = text.replace(urlWithScheme, '').replace(urlWithWww, '');
  text = htmlText(text);
  text = text.replace(pyRegex(`@[${PY_WORD_CHARS}${D}]+${B}`), '');
  text = text.replace(/[\u31c0-\u31ef\u31f0-\u31ff\u3200-\u32ff\u3300-\u33ff\u3400-\u4dbf\u4dc0-\u4dff\u4e00-\u9fff]+/g, '');
  text = text.replace(
    /[\u002D\u058A\u05BE\u1400\u1806\u2010-\u2015\u2E17\u2E1A\u2E3A\u2E3B\u2E40\u301C\u3030\u30A0\uFE31\uFE32\uFE58\uFE63\uFF0D]+/g,
    '-',
  );
  text = text.replace(/[`´«»“”¨]/g, '"').replace(/[‘’]/g, "'");
  text = text.replace(/&quot;?/g, '').replaceAll('&amp', '');
  text = text.replace(pyRegex(`${D}{1,3}\\.${D}{1,3}\\.${D}{1,3}\\.${D}{1,3}`), ' ');
  text = text.replace(pyRegex(`${D}:${D}${D}${S}+${PY_END}`), '');
  text = text.replaceAll('\\n', ' ');
  text = text.replace(pyRegex(`#${D}{1,3}${B}`), '').replace(pyRegex(`#${D}{5,}${B}`), '');
  text = text.replace(pyRegex(`${B}${D}{6,}${B}`), '');
  text = text.replace(pyRegex(`${PY_NON_SPACE}+\\.(?:png|jpg|jpeg|bmp|webp|eps|pdf|apk|mp4)`), '');
  text = text.replace(/["']{2,}/g, '"').replace(/\.{2,}/g, ' ');
  text = text.replace(/[#®•©™&@·º½¾¿¡§~)(\][}{|\\/*]+/g, ' ');
  text = text.replace(pyRegex(`${S}+\\.${S}+`), ' ');
  // this-is-my-cute-cat / this_is_my_cute_cat: more than three joiners means they separate words.
  if ((text.match(/[-_]/g) ?? []).length > 3) {
    text = text.replace(/[-_]/g, ' ');
  }
  text = pyStrip(pythonHtmlUnescape(pythonHtmlUnescape(ftfyFixText(text))));
  text = text.replace(pyRegex(`${B}[a-zA-Z]{1,3}${D}{3,15}${B}`), '');
  text = text.replace(pyRegex(`${B}[a-zA-Z]+${D}+[a-zA-Z]+${B}`), '');
  text = text.replace(pyRegex(`${B}${D}+[a-zA-Z]+${D}+${B}`), '');
  text = text.replace(pyRegex(`(worldwide${S}+)?(free${S}+)?shipping`), '');
  text = text.replace(pyRegex(`(free${S})?download(${S}free)?`), '');
  text = text.replace(pyRegex(`${B}click${B}${S}(?:for|on)${S}${W}+`), '');
  text = text.replace(pyRegex(`${B}(?:png|jpg|jpeg|bmp|webp|eps|pdf|apk|mp4)(${S}image[s]?)?`), '');
  text = text.replace(pyRegex(`${B}page${S}+${D}+${B}`), '');
  text = text.replace(pyRegex(`${B}${D}*[a-zA-Z]+${D}+[a-zA-Z]+${D}+[a-zA-Z${D}]*${B}`), ' ');
  text = text.replace(pyRegex(`${B}${D}+\\.?${D}*[xх×]${D}+\\.?${D}*${B}`), '');
  text = text.replace(pyRegex(`${B}${S}+:${S}+`), ': ');
  text = text.replace(pyRegex(`(${PY_NON_DIGIT}[,./])${B}`), '$1 ');
  text = text.replace(pyRegex(`${S}+`), ' ');
  text = text.replace(new RegExp(`^["']([\\s\\S]+)["']${PY_END}`, 'u'), '$1');
  text = text.replace(/^['_,\-:;]/u, '');
  text = text.replace(new RegExp(`['_,\\-:+]${PY_END}`, 'u'), '');
  text = text.replace(new RegExp(`^\\.${PY_NON_SPACE}+${PY_END}`, 'u'), '');
  return pyStrip(text);
}

/** Upstream first URL-decodes (`unquote_plus`: `+` is a space), strips and lower-cases. */
function unquotePlusThenLower(caption: string): string {
  return pyStrip(unquotePlus(caption)).toLowerCase();
}

const domain = `[a-zA-Z0-9.\\-]+[.](?:com|co|ru|net|org|edu|gov|it)[${PY_WORD_CHARS}/-]*${B}\\/?(?!@)`;
/** `http:`/`https:` links and bare `host.tld/...` names. */
const urlWithScheme = pyRegex(`${B}((?:https?:(?:\\/{1,3}|[a-zA-Z0-9%])|${domain}))`);
/** Upstream's second URL rule (it spells the scheme `www:`), which again removes bare `host.tld/...` names. */
const urlWithWww = pyRegex(`${B}((?:www:(?:\\/{1,3}|[a-zA-Z0-9%])|${domain}))`);
