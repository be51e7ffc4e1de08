import { useTranslation } from "react-i18next";
import i18n from "../i18n";
import cy from "./clinician.cy.json";
import en from "./clinician.en.json";

// The clinician strings load with the clinician screens' chunks, not with the first screen.
export const NAMESPACE = "clinician";
if (!i18n.hasResourceBundle("en", NAMESPACE)) {
  i18n.addResourceBundle("en", NAMESPACE, en);
  i18n.addResourceBundle("cy", NAMESPACE, cy);
}

/** `ct("caseload.title")`: a key of clinician.en.json (the catalogue test checks every one the code asks for). */
export function useClinicianT() {
  const { t, i18n: instance } = useTranslation(NAMESPACE);
  return { ct: t, language: instance.language };
}
