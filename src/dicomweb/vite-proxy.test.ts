import { describe, expect, it } from 'vitest';
import { dicomwebProxyConfig, dicomwebProxyOptions } from './vite-proxy';

describe('DICOMweb proxy configuration', () => {
  it('is off without a target, and mounts a target under /dicomweb by default', () => {
    expect(dicomwebProxyConfig({})).toBeNull();
    expect(dicomwebProxyConfig({ CXR_DICOMWEB_PROXY_TARGET: 'http://pacs.local:8042/dicom-web/' })).toEqual({ path: '/dicomweb', target: 'http://pacs.local:8042/dicom-web' });
    expect(dicomwebProxyConfig({ CXR_DICOMWEB_PROXY_TARGET: 'https://pacs.local/wado', CXR_DICOMWEB_PROXY_PATH: '/pacs/' })?.path).toBe('/pacs');
  });

  it('refuses a bad URL, a non-http scheme and credentials in the URL', () => {
    expect(() => dicomwebProxyConfig({ CXR_DICOMWEB_PROXY_TARGET: 'pacs' })).toThrow(/not a URL/);
    expect(() => dicomwebProxyConfig({ CXR_DICOMWEB_PROXY_TARGET: 'ftp://pacs/x' })).toThrow(/http\(s\)/);
    expect(() => dicomwebProxyConfig({ CXR_DICOMWEB_PROXY_TARGET: 'http://u:p@pacs/x' })).toThrow(/credentials/);
    expect(() => dicomwebProxyConfig({ CXR_DICOMWEB_PROXY_TARGET: 'http://pacs/x', CXR_DICOMWEB_PROXY_PATH: 'no slash' })).toThrow(/path/);
  });

  it('strips the mount path before forwarding', () => {
    const o = dicomwebProxyOptions({ path: '/dicomweb', target: 'http://127.0.0.1:8042/dicom-web' })['/dicomweb/']!;
    expect(o.target).toBe('http://127.0.0.1:8042/dicom-web');
    expect(o.rewrite?.('/dicomweb/studies?PatientID=1')).toBe('/studies?PatientID=1');
  });
});
