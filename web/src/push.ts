import { api, unwrap } from "./api/client";

/** Web Push on this device: subscribe with the API's VAPID public key and register the subscription; or undo both. */
const POINT_KEY = "accord.push.point";

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

export async function enablePush(): Promise<"on" | "denied"> {
  if ((await Notification.requestPermission()) !== "granted") return "denied";
  const { public_key } = await unwrap(api.GET("/api/v1/notifications/push/public-key"));
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) }));
  const json = subscription.toJSON();
  const registered = await unwrap(
    api.POST("/api/v1/notifications/push-subscriptions", {
      body: { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } },
    }),
  );
  localStorage.setItem(POINT_KEY, registered.id);
  return "on";
}

export async function disablePush(): Promise<void> {
  // This device's own registration (the API shows only an endpoint's host, the same for many devices).
  const pointId = localStorage.getItem(POINT_KEY);
  if (pointId) {
    await unwrap(
      api.DELETE("/api/v1/notifications/push-subscriptions/{point_id}", { params: { path: { point_id: pointId } } }),
    );
    localStorage.removeItem(POINT_KEY);
  }
  await (await currentSubscription())?.unsubscribe();
}
