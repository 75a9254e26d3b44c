// Colours per kind (shared by badges and the explorer). Each has at least
// 4.5:1 contrast with white text.
import type { Kind } from './gql/graphql';

export const kindColour: Record<Kind, string> = {
  BusinessUnit: '#6b3fa0',
  Service: '#1f5fa8',
  Application: '#1c7a52',
  Repository: '#5a5a5a',
  Team: '#a14a00',
  Person: '#b0306a',
  CloudAccount: '#7a5c00',
  CloudResource: '#0b6b7a',
  Change: '#8a3b12',
  Incident: '#b3261e',
};

export const kindLabel: Record<Kind, string> = {
  BusinessUnit: 'Business unit',
  Service: 'Service',
  Application: 'Application',
  Repository: 'Repository',
  Team: 'Team',
  Person: 'Person',
  CloudAccount: 'Cloud account',
  CloudResource: 'Cloud resource',
  Change: 'Change',
  Incident: 'Incident',
};

export const allKinds = Object.keys(kindColour) as Kind[];

/** Kinds that should have an owner: the explorer highlights them when none. */
export const ownableKinds = new Set<Kind>(['Service', 'Application', 'Repository', 'CloudAccount', 'CloudResource']);

export const relTypes = [
  'PART_OF',
  'BUILDS',
  'OWNS',
  'MEMBER_OF',
  'DEPENDS_ON',
  'RUNS_ON',
  'IN_ACCOUNT',
  'DEFINES',
  'AFFECTS',
  'MADE_BY',
  'CAUSED_BY',
] as const;
