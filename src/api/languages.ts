/** The `Accept-Language` values the export API accepts; any other is answered with 406. */
export const LANGUAGES = [
  'en-US',
  'es-ES',
  'fr-FR',
  'it-IT',
  'de-DE',
  'nl-NL',
  'pt-BR',
  'pt-PT',
  'da-DK',
  'ru-RU',
  'fr-CA',
  'zh-CN',
  'ja-JP',
  'ko-KR',
  'sv-SE',
] as const;

export type Language = (typeof LANGUAGES)[number];

/** The API's spelling of `code` (matched case-insensitively), or undefined when it has none. */
export function apiLanguage(code: string): Language | undefined {
  return LANGUAGES.find((l) => l.toLowerCase() === code.trim().toLowerCase());
}
