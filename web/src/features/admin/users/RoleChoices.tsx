/** The tenant's roles as checkboxes, for inviting a person or changing a member's roles. */
import { useTranslation } from "react-i18next";
import { toggleIn } from "../selection.js";
import { ChoiceList } from "../shared/ChoiceList.js";
import { LoadError, Loading } from "../shared/SectionPage.js";
import { useGrants } from "../shared/useGrants.js";

interface RoleChoicesProps {
  chosen: string[];
  onChange: (roleIds: string[]) => void;
  error?: string;
}

export function RoleChoices({ chosen, onChange, error }: RoleChoicesProps) {
  const { t } = useTranslation();
  const grants = useGrants();
  if (grants.roles.isPending) return <Loading />;
  if (grants.roles.isError) return <LoadError error={grants.roles.error} />;
  const choices = grants.roles.data.map((role) => {
    const grantable = grants.canGrant(role.permissions);
    const hints = [role.description, !grantable ? t("admin.roles.notGrantable") : ""].filter(Boolean);
    return {
      value: role.id,
      label: (
        <>
          {role.name}
          {role.builtin && <span className="badge ml-2">{t("admin.roles.builtin")}</span>}
        </>
      ),
      hint: hints.length ? hints.join(" · ") : undefined,
      checked: chosen.includes(role.id),
      disabled: !grantable && !chosen.includes(role.id),
    };
  });
  return (
    <ChoiceList legend={t("admin.users.roles")} choices={choices} error={error}
      onToggle={(id, on) => onChange(toggleIn(chosen, id, on))} />
  );
}
