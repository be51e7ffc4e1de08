import { useCallback, useEffect, useRef, useState } from "react";

const PREFIX = "accord.draft.";

/** Form state kept in sessionStorage as it is typed, so a sign-in round trip (a 401) or a reload loses nothing.
 * Cleared once the form is sent. Only in this tab, and gone when it closes. */
export function useDraft<T extends object>(key: string, initial: T): [T, (next: T | ((old: T) => T)) => void, () => void] {
  const storageKey = PREFIX + key;
  const empty = useRef(initial); // the form's empty state, as first given
  const [value, setValue] = useState<T>(() => {
    const saved = sessionStorage.getItem(storageKey);
    if (saved === null) return initial;
    try {
      return { ...initial, ...(JSON.parse(saved) as T) };
    } catch {
      return initial;
    }
  });
  useEffect(() => {
    sessionStorage.setItem(storageKey, JSON.stringify(value));
  }, [storageKey, value]);
  const clear = useCallback(() => {
    sessionStorage.removeItem(storageKey);
    setValue(empty.current);
  }, [storageKey]);
  return [value, setValue, clear];
}
