/**
 * The cases inside a permanent case (a rack of drawers): put one in (AddCaseToCase; the API
 * refuses loops and temporary outer cases) or take it out (RemoveCaseFromCase).
 */
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { CaseKind, type Case } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Notice } from "../../../ui/controls.js";
import { idempotent, invalidateInventory, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";

export function NestedCases({ theCase }: { theCase: Case }) {
  const { t } = useTranslation();
  const can = useCan();
  const queries = useQueryClient();
  const { cases } = useLookups();
  const submit = useSubmit();
  const [child, setChild] = useState("");
  const permanent = theCase.kind !== CaseKind.TEMPORARY;
  const candidates = [...cases.values()]
    .filter((c) => c.id !== theCase.id && c.id !== theCase.parentCaseId && !theCase.caseIds.includes(c.id))
    .sort((a, b) => a.code.localeCompare(b.code));

  const change = async (childCaseId: string, add: boolean) => {
    const request = { caseId: theCase.id, childCaseId };
    const answer = await submit.run<unknown>(() =>
      add ? inventory.addCaseToCase(request, idempotent()) : inventory.removeCaseFromCase(request, idempotent()),
    );
    if (answer) {
      setChild("");
      await invalidateInventory(queries);
    }
  };

  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="nested-title">
      <h2 id="nested-title" className="text-lg font-semibold">{t("inventory.case.nested", { count: theCase.caseIds.length })}</h2>
      {theCase.caseIds.length === 0 && (
        <p className="text-muted">{permanent ? t("inventory.case.noNested") : t("inventory.case.temporaryNoNested")}</p>
      )}
      <ul className="flex flex-col divide-y divide-line">
        {theCase.caseIds.map((id) => {
          const inner = cases.get(id);
          return (
            <li key={id} className="py-2 flex flex-wrap items-center gap-3">
              <Link to="/cases/$caseId" params={{ caseId: id }} className="text-accent hover:underline mr-auto">
                {inner ? `${inner.code} · ${inner.name}` : id}
              </Link>
              {can.write && (
                <Button variant="ghost" disabled={submit.busy} aria-label={t("inventory.case.removeCase", { code: inner?.code ?? id })}
                  onClick={() => void change(id, false)}>
                  {t("inventory.case.remove")}
                </Button>
              )}
            </li>
          );
        })}
      </ul>
      {can.write && permanent && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="field grow">
            <span className="field-label">{t("inventory.case.addCase")}</span>
            <select className="select" value={child} onChange={(e) => setChild(e.target.value)}>
              <option value="">{t("inventory.case.chooseCase")}</option>
              {candidates.map((c) => <option key={c.id} value={c.id}>{`${c.code} · ${c.name}`}</option>)}
            </select>
          </label>
          <Button disabled={!child || submit.busy} onClick={() => void change(child, true)}>{t("inventory.case.add")}</Button>
        </div>
      )}
      {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
    </section>
  );
}
