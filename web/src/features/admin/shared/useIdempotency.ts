/** One form's `Idempotency-Key`s (see ../idempotency.ts), kept for the form's lifetime. */
import { useState } from "react";
import { idempotencyKeys } from "../idempotency.js";

export function useIdempotency() {
  const [keys] = useState(() => idempotencyKeys());
  return keys;
}
