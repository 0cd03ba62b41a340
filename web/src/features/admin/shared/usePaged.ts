/**
 * A List RPC read page by page (docs/api.md, "Lists"): the items so far, whether there is more,
 * and the call for the next page — for the "Load more" button under each admin list.
 */
import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import { useMemo } from "react";

export interface Page<T> {
  items: T[];
  next: string;
}

export function usePaged<T>(queryKey: QueryKey, fetchPage: (pageToken: string) => Promise<Page<T>>, enabled = true) {
  const query = useInfiniteQuery({
    queryKey,
    enabled,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: "",
    getNextPageParam: (last) => last.next || undefined,
  });
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  return {
    items,
    query,
    more: {
      hasMore: query.hasNextPage,
      loading: query.isFetchingNextPage,
      onMore: () => void query.fetchNextPage(),
    },
  };
}
