/** The locations as `<option>`s in tree order, indented by level, for any location picker. */
import { useTranslation } from "react-i18next";
import type { Location } from "../../../gen/eventkit/v1/inventory_pb.js";
import { treeRows } from "../logic/locationTree.js";

export function LocationOptions({ locations, kinds }: { locations: ReadonlyMap<string, Location>; kinds?: readonly number[] }) {
  const { i18n } = useTranslation();
  const rows = treeRows([...locations.values()], i18n.language).filter((r) => !kinds || kinds.includes(r.location.kind));
  return (
    <>
      {rows.map((r) => (
        <option key={r.location.id} value={r.location.id}>
          {`${"\u00a0\u00a0".repeat(kinds ? 0 : r.depth)}${r.location.name}`}
        </option>
      ))}
    </>
  );
}
