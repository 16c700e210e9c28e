import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lttngMessage, parseListLosses } from './lttng.js';

test('discarded events and lost packets are summed over the channels of `lttng list SESSION`', () => {
  const text = `Recording session s: [inactive]
    Trace output: /tmp/x

=== Domain: User space ===

- channel0: [enabled]

    Attributes:
      Event-loss mode:  discard
      Sub-buffer size:  4194304 bytes
    Statistics:
      Discarded events: 60746

- other: [enabled]
    Statistics:
      Discarded events: 4
      Lost packets: 2
`;
  assert.deepEqual(parseListLosses(text), { discardedEvents: 60750, lostPackets: 2 });
});

test("lttng's own error line is what users see", () => {
  const r = { code: 1, signal: null, stdout: '', stderr: 'Spawning a session daemon\nError: Session name already exists\n' };
  assert.equal(lttngMessage(r), 'Session name already exists');
  assert.equal(lttngMessage({ code: 1, signal: null, stdout: 'last words\n', stderr: '' }), 'last words');
});
