import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";

/** One page of a cursor-paged list (`Page[...]` in the API): its items and the cursor of the next page, if any. */
export interface Paged<T> {
  items: T[];
  next_cursor?: string | null;
}

/** A keyset-paged list read a page at a time: the pages loaded so far as one list, and whether there is more (the
 * API's `next_cursor`). `fetchPage` asks for the page after `cursor` (none: the first). */
export function usePagedList<T>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<Paged<T>>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Paged<T>) => last.next_cursor ?? undefined,
  });
  return { ...query, items: query.data?.pages.flatMap((page) => page.items) ?? [] };
}
