/**
 * Who made a change, as the person reads it: "you", an API key, or a person by a short id.
 * (The API has no way for a non-admin to look up other people's names.)
 */
import { useTranslation } from "react-i18next";
import { useCan } from "./permissions.js";
import { parseActor } from "../logic/historyValues.js";

export function useActorName() {
  const { t } = useTranslation();
  const { userId } = useCan();
  return (raw: string) => {
    const who = parseActor(raw, userId);
    if (who.kind === "me") return t("inventory.history.you");
    if (who.kind === "apiKey") return t("inventory.history.apiKey", { id: who.id.slice(0, 8) });
    if (who.kind === "user") return t("inventory.history.user", { id: who.id.slice(0, 8) });
    return who.id;
  };
}
