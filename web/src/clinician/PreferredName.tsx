import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import { Field, FormErrors } from "../components/Field";
import { useClinicianT } from "./i18n";

/** The name the client prefers to be called, entered by their therapist and kept by the reporting service (which
 * shows it only where the client is already shown). */
export function PreferredName({ clientId, current }: { clientId: string; current: string | null }) {
  const { ct } = useClinicianT();
  const client = useQueryClient();
  const [name, setName] = useState(current ?? "");
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/v1/reporting/clients/{client_id}/name", {
          params: { path: { client_id: clientId } },
          body: { display_name: name },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["client-report", clientId] });
      void client.invalidateQueries({ queryKey: ["caseload"] });
      void client.invalidateQueries({ queryKey: ["client-name", clientId] });
    },
  });
  const errors = save.error instanceof ApiError ? fieldErrors(save.error.problem) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="preferred-name" noValidate>
      <FormErrors messages={otherErrors(errors, ["display_name"])} />
      <Field label={ct("client.preferredName")} error={errorFor(errors, "display_name")}>
        {(ids) => (
          <input {...ids} maxLength={60} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <button type="submit" disabled={save.isPending}>
        {ct("client.saveName")}
      </button>
      {save.isSuccess && <p role="status">{ct("client.nameSaved")}</p>}
    </form>
  );
}
