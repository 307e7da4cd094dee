import { describe, expect, it } from 'vitest';
import { describeNetworkError, displayUrl } from '../../../main/stt/network-errors.js';

describe('describeNetworkError', () => {
  it('says what common socket errors mean', () => {
    expect(describeNetworkError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('connection refused');
    expect(describeNetworkError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nowhere.invalid' })).toBe('host not found');
    expect(describeNetworkError({ code: 'ECONNRESET', message: 'read ECONNRESET' })).toBe('connection reset');
  });

  it('tells TLS to a plain server apart from a bad certificate', () => {
    const plain = describeNetworkError({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number' });
    expect(plain).toMatch(/^TLS handshake failed: the server does not speak TLS/);
    expect(describeNetworkError({ code: 'EPROTO', message: 'write EPROTO' })).toMatch(/does not speak TLS/);
    expect(describeNetworkError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' })).toBe('TLS certificate rejected (DEPTH_ZERO_SELF_SIGNED_CERT): self-signed certificate');
  });

  it('explains ws handshake failures and keeps unknown codes', () => {
    expect(describeNetworkError({ message: 'socket hang up' })).toBe('the server closed the connection during the handshake');
    expect(describeNetworkError({ message: 'Opening handshake has timed out' })).toBe('the handshake timed out');
    expect(describeNetworkError({ code: 'EWHATEVER', message: 'strange' })).toBe('strange (EWHATEVER)');
    expect(describeNetworkError({ message: 'Invalid URL: x' })).toBe('Invalid URL: x');
  });
});

describe('displayUrl', () => {
  it('drops the query (settings, tokens) and keeps scheme, host and path', () => {
    expect(displayUrl('wss://api.example.com:8443/v1/stream?model=a&token=secret')).toBe('wss://api.example.com:8443/v1/stream');
    expect(displayUrl('not a url?token=secret')).toBe('not a url');
  });
});
