/** Shared by every module of the script (one binding in the bundle instead of one per file). */
export const d = document;
/** The <html> element, for the opt-out attribute. */
export const root = d.documentElement;
