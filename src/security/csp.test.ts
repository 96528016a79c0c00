import { describe, expect, it } from 'vitest';
import { buildCsp, cspDirectives, modelHostOrigin, wadoWorkerCsp } from './csp';
import { cspSha256 } from './vite-csp';

const STRICT =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
  "img-src 'self' blob: data:; style-src 'self'; font-src 'self'; object-src 'none'; frame-src 'none'; " +
  "base-uri 'self'; form-action 'none'";

describe('buildCsp', () => {
  it('is strict by default: own origin only, wasm but no eval, no inline code', () => {
    expect(buildCsp({ delivery: 'meta' })).toBe(STRICT);
    expect(buildCsp({ delivery: 'header' })).toBe(`${STRICT}; frame-ancestors 'none'`);
    const policy = buildCsp({ delivery: 'header' });
    expect(policy).not.toMatch(/'unsafe-eval'|'unsafe-inline'|\*|https?:/);
  });

  it('leaves frame-ancestors out of a <meta> policy (browsers ignore it there)', () => {
    expect(cspDirectives({ delivery: 'meta' }).map(([d]) => d)).not.toContain('frame-ancestors');
  });

  it('adds the configured model host to connect-src, and nothing for a path on this origin', () => {
    const policy = buildCsp({ delivery: 'header', modelUrl: 'https://models.example.org:8443/cxr/v2/manifest.json' });
    expect(policy).toContain("connect-src 'self' https://models.example.org:8443;");
    expect(policy.match(/models\.example/g)).toHaveLength(1);
    expect(buildCsp({ delivery: 'meta', modelUrl: '/models/x/manifest.json' })).toBe(STRICT);
    expect(buildCsp({ delivery: 'meta', modelUrl: '  ' })).toBe(STRICT);
  });

  it('takes extra connect origins, and refuses anything that is not a bare origin', () => {
    expect(buildCsp({ delivery: 'meta', extraConnectOrigins: 'https://a.example  https://b.example/' })).toContain(
      "connect-src 'self' https://a.example https://b.example;",
    );
    for (const bad of ['https://a.example/path', "'unsafe-inline'", 'https://a.example; script-src *', '*', 'ftp://a.example']) {
      expect(() => buildCsp({ delivery: 'meta', extraConnectOrigins: [bad] }), bad).toThrow(/VITE_CXR_CONNECT_ORIGINS/);
    }
  });

  it('refuses a model URL that is not http(s)', () => {
    expect(() => modelHostOrigin('javascript:alert(1)')).toThrow(/http\(s\)/);
    expect(() => modelHostOrigin('http://[bad')).toThrow(/not a valid URL/);
    expect(modelHostOrigin('//cdn.example/m.json')).toBe('https://cdn.example');
    expect(modelHostOrigin('http://127.0.0.1:9000/m.json')).toBe('http://127.0.0.1:9000');
  });

  it('the dev server alone allows its inline refresh preamble by hash, and inline styles', () => {
    const hash = cspSha256('console.log(1)');
    expect(hash).toMatch(/^'sha256-[A-Za-z0-9+/]{43}='$/);
    const dev = buildCsp({ delivery: 'header', dev: { inlineScriptHashes: [hash] } });
    expect(dev).toContain(`script-src 'self' 'wasm-unsafe-eval' ${hash};`);
    expect(dev).toContain("style-src 'self' 'unsafe-inline';");
    expect(() => buildCsp({ delivery: 'header', dev: { inlineScriptHashes: ["'unsafe-inline'"] } })).toThrow(/sha256/);
  });

  it("gives wado's decode worker its own policy: eval for its embind glue, nothing beyond its own origin", () => {
    const policy = wadoWorkerCsp();
    expect(policy).toBe("default-src 'none'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; connect-src 'self'");
    expect(policy).not.toMatch(/'unsafe-inline'|\*|https?:|blob:|data:/);
  });
});
