/**
 * QIDO-RS `includefield` for several attributes (PS3.18 8.3.4.3: a comma-separated list, or the
 * parameter repeated). dicomweb-client (pinned, 0.11.3) percent-encodes every query value, and an
 * encoded comma is data, not a separator (RFC 3986 2.2): Orthanc then returns none of the
 * attributes asked for. It puts the keys into the URL as they are, so the parameter is repeated by
 * writing all but the last `includefield=…&` into the key. dicomweb.test.ts checks the URL
 * dicomweb-client makes of it, so a dicomweb-client that changes this fails there.
 */
export function includeFields(tags: readonly string[]): Record<string, string> {
  if (!tags.length) return {};
  const key = `${tags
    .slice(0, -1)
    .map((t) => `includefield=${t}&`)
    .join('')}includefield`;
  return { [key]: tags.at(-1)! };
}
