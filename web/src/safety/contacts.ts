import tenants from "./tenants.json";

/** Someone to talk to right now. A tenant's own list (tenants.json, keyed by tenant id, with labels in each
 * language) replaces the UK defaults, whose labels are in the catalogues. */
export interface CrisisContact {
  id: string;
  href: string;
  /** a catalogue key (defaults) or the tenant's own words per language */
  label: { key: string } | { en: string; cy: string };
}

export const UK_DEFAULTS: CrisisContact[] = [
  { id: "nhs111", href: "tel:111", label: { key: "help.contact.nhs111" } },
  { id: "samaritans", href: "tel:116123", label: { key: "help.contact.samaritans" } },
  { id: "shout", href: "sms:85258?body=SHOUT", label: { key: "help.contact.shout" } },
];

const configured = tenants as Record<string, CrisisContact[]>;

export function crisisContacts(tenantId: string | undefined): CrisisContact[] {
  return (tenantId && configured[tenantId]) || UK_DEFAULTS;
}
