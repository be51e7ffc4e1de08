import { useSession } from "../api/hooks";
import { HelpNow } from "../safety/HelpNow";

export default function HelpPage() {
  const session = useSession().data;
  return <HelpNow tenantId={session?.tenant_id} focus />;
}
