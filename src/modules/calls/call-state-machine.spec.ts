import { fromStates, TRANSITIONS } from './call-state-machine';

describe('call state machine', () => {
  it('reaches dispositioned only through connected and wrap-up', () => {
    expect(fromStates('dispositioned')).toEqual(['wrap_up']);
    expect(fromStates('wrap_up')).toEqual(['connected']);
    expect(fromStates('connected')).toEqual(['answered']);
  });

  it('abandons only answered calls, and never moves a finished call', () => {
    expect(fromStates('abandoned')).toEqual(['answered']);
    for (const s of ['ended', 'failed', 'dispositioned'] as const) expect(TRANSITIONS[s]).toEqual([]);
  });

  it('lets a call fail before it is connected, not after', () => {
    expect(fromStates('failed').sort()).toEqual(['answered', 'dialing', 'preview', 'queued', 'ringing']);
  });

  it('leaves a preview only by Dial (queued), Skip (skipped, final) or a gate block (failed)', () => {
    expect(TRANSITIONS.preview.sort()).toEqual(['failed', 'queued', 'skipped']);
    expect(fromStates('skipped')).toEqual(['preview']);
    expect(TRANSITIONS.skipped).toEqual([]);
  });
});
