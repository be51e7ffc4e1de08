import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";

export const LANGUAGES = ["en", "cy"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "accord.language";

/** "cy", "cy-GB", "CY_gb" -> "cy"; anything else English. */
export function languageOf(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith("cy") ? "cy" : "en";
}

function initialLanguage(): Language {
  const saved = typeof localStorage === "undefined" ? null : localStorage.getItem(STORAGE_KEY);
  return languageOf(saved ?? (typeof navigator === "undefined" ? "en" : navigator.language));
}

// Welsh is its own chunk, fetched only for someone who reads the app in Welsh (setLanguage): English speakers, most
// of the people on the first screen, do not download it (docs/benchmarks.md).
let welsh: Promise<void> | null = null;

function loadWelsh(): Promise<void> {
  welsh ??= import("./cy.json").then(
    ({ default: cy }) => {
      i18n.addResourceBundle("cy", "translation", cy);
    },
    (error: unknown) => {
      welsh = null; // offline before it was ever fetched: English until it can be
      throw error;
    },
  );
  return welsh;
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  partialBundledLanguages: true,
  lng: "en",
  fallbackLng: "en",
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

function reflect(lng: string): void {
  if (typeof document !== "undefined") document.documentElement.lang = lng;
}
reflect(i18n.language);
i18n.on("languageChanged", (lng) => {
  reflect(lng);
  localStorage.setItem(STORAGE_KEY, lng);
});

/** Switches the app's language, fetching the Welsh strings first when they are needed and not loaded yet. */
export async function setLanguage(language: Language): Promise<unknown> {
  if (language === "cy") await loadWelsh();
  return i18n.changeLanguage(language);
}

/** The language the app opens in (saved on this device, else the browser's), ready to render: await before the
 * first render so a Welsh speaker never sees English first. */
export function startLanguage(language: Language = initialLanguage()): Promise<unknown> {
  return setLanguage(language).catch(() => undefined);
}

/** Locales for Intl, best first: dates and numbers as written in the UK, in English or Welsh. Some browsers ship
 * no Welsh ICU data (Debian's Chromium among them) and would fall back to their default locale, American English
 * ("February 26, 2027"); naming en-GB after cy-GB makes that fallback British English instead. */
export function intlLocales(language: string = i18n.language): string[] {
  return languageOf(language) === "cy" ? ["cy-GB", "en-GB"] : ["en-GB"];
}

/** A date (ISO 8601) in the current language, or `language` when given: "5 March 2026", "5 Mawrth 2026". */
export function formatDate(iso: string, language?: string): string {
  return new Intl.DateTimeFormat(intlLocales(language), { day: "numeric", month: "long", year: "numeric" }).format(
    new Date(iso),
  );
}

/** A number in the current language, or `language` when given, to at most one decimal place. */
export function formatNumber(value: number, language?: string): string {
  return new Intl.NumberFormat(intlLocales(language), { maximumFractionDigits: 1 }).format(value);
}

export default i18n;
