import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };

export const DESK_LANGUAGES = ['en', 'es'] as const;
export type DeskLanguage = (typeof DESK_LANGUAGES)[number];

/** Each language in its own words, as the language picker shows it whatever the desk's language. */
export const LANGUAGE_NAMES: Record<DeskLanguage, string> = { en: 'English', es: 'Español' };

/** Before sign-in the browser's language decides; after it, the agent's own (stored on the agent). */
const browserLanguage = (): DeskLanguage =>
  typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('es') ? 'es' : 'en';

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, es: { translation: es } },
  lng: browserLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export function setDeskLanguage(language: DeskLanguage) {
  if (i18next.language !== language) void i18next.changeLanguage(language);
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}
setDeskLanguage(i18next.language as DeskLanguage);

export { i18next };
