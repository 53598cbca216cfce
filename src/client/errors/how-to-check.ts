/**
 * What to do when a call may or may not have taken effect. Resending blindly can activate a
 * device twice or move it to the wrong state, so the advice names the call that tells.
 */
export function howToCheck(method: string, pathname: string): string {
  if (method === "GET") return "The call only reads: it is safe to send it again.";
  if (pathname.includes("/devices/actions/")) {
    return (
      "Before sending it again, check the devices' current state with POST /devices/actions/list; " +
      "if ThingSpace accepted the request, its callbacks will still arrive."
    );
  }
  if (pathname.includes("/callbacks/")) {
    return "Before sending it again, list the account's callback registrations (client.listCallbacks()).";
  }
  if (pathname.includes("/session/") || pathname.includes("/oauth2/")) {
    return "Authentication calls change nothing on the account.";
  }
  return "Check the resource's state before sending it again.";
}
