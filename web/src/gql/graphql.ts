/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AccreditationLevel =
  | 'BRONZE'
  | 'GOLD'
  | 'SILVER';

export type AuditOp =
  | 'CREATED'
  | 'DELETED'
  | 'UPDATED';

/** How a change is handled: pre-approved, by the owning team, or by the change advisory board. */
export type ChangeClass =
  | 'HIGH'
  | 'NORMAL'
  | 'STANDARD';

/** How changes are listed. */
export type ChangeOrder =
  /** Oldest assessment first: what has waited longest (a queue of pending changes). */
  | 'ASSESSED'
  /** Newest assessment first. */
  | 'ASSESSED_DESC'
  /** By key: repository@commit/environment. */
  | 'KEY';

/** Where a change's decision stands. STANDARD changes are APPROVED when assessed. */
export type ChangeStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED';

/** How sure a source is of what it asserts. */
export type Confidence =
  /** A file or API field says so (catalog-info.yaml, CODEOWNERS, a manual edit). */
  | 'DECLARED'
  /** A guess (commit history). */
  | 'HEURISTIC'
  /** A strong inference (a naming convention, a tag). */
  | 'INFERRED';

/** Which relationships of an entity to follow, relative to that entity. */
export type Direction =
  | 'BOTH'
  /** Relationships pointing at the entity (the entity is `to`). */
  | 'IN'
  /** Relationships pointing away from the entity (the entity is `from`). */
  | 'OUT';

/** An entity to create or update (by kind and key), as the source manual. */
export type EntityInput = {
  aliases?: Array<string> | null | undefined;
  /** DECLARED by default. */
  confidence?: Confidence | null | undefined;
  /** Why: a ticket, a document. Defaults to who made the edit. */
  evidence?: string | null | undefined;
  key: string;
  kind: Kind;
  /** Labels merge into what is stored. */
  labels?: Array<LabelInput> | null | undefined;
  /** Empty keeps the stored name; a new entity is named after its key. */
  name?: string | null | undefined;
  /** Typed properties of the kind (tier, url, region…); they merge into what is stored. */
  properties?: Record<string, unknown> | null | undefined;
};

export type ImpactDirection =
  /** What breaks if the refs change: dependents, what runs on or is built from them, and the services and business units they are part of. */
  | 'DOWNSTREAM'
  /** What the refs rely on: dependencies, what they run on, the repositories building or defining them. */
  | 'UPSTREAM';

export type IngestRunStatus =
  | 'FAILED'
  | 'PARTIAL'
  | 'RUNNING'
  | 'SUCCEEDED';

/** What a thing is. Values are spelled as in __typename. */
export type Kind =
  | 'Application'
  | 'BusinessUnit'
  /** An assessed change: repository@commit/environment. */
  | 'Change'
  | 'CloudAccount'
  | 'CloudResource'
  /** An incident, keyed by the source system's id. */
  | 'Incident'
  | 'Person'
  | 'Repository'
  | 'Service'
  | 'Team';

/** A label an entity must have, with exactly this value. */
export type LabelInput = {
  key: string;
  value: string;
};

export type LinkInput = {
  confidence?: Confidence | null | undefined;
  evidence?: string | null | undefined;
  from: RefInput;
  /** On BUILDS only: the subdirectory of a monorepo. */
  path?: string | null | undefined;
  /** On OWNS only; TECHNICAL by default. */
  role?: OwnerRole | null | undefined;
  to: RefInput;
  type: RelType;
};

export type MergeEntitiesInput = {
  /** The duplicate, merged in and removed. */
  duplicate: string | number;
  /** The entity that stays. */
  into: string | number;
};

/** The role of an owner (OWNS relationships). */
export type OwnerRole =
  | 'BUSINESS'
  | 'SECURITY'
  | 'SUPPORT'
  | 'TECHNICAL';

/**
 * The precedence class of an ownership claim, highest first. Derived from the
 * claim's source, evidence and confidence (docs/answers.md).
 */
export type OwnershipClass =
  /** A cloud tag. */
  | 'CLOUD_TAG'
  /** A CODEOWNERS line. */
  | 'CODEOWNERS'
  /** A guess from commit history. */
  | 'COMMIT_HEURISTIC'
  /** A declared descriptor such as catalog-info.yaml. */
  | 'DESCRIPTOR'
  /** Inherited from a service, business unit, application or repository. */
  | 'INHERITED'
  /** An edit through the API (source manual). */
  | 'MANUAL';

/** An entity named by kind and natural key. */
export type RefInput = {
  key: string;
  kind: Kind;
};

/**
 * The type of a relationship. Only these pairs are valid:
 * PART_OF Service→BusinessUnit, Application→Service, BusinessUnit→BusinessUnit;
 * BUILDS Repository→Application; OWNS Team|Person→BusinessUnit, Service,
 * Application, Repository, CloudAccount, CloudResource or Team; MEMBER_OF
 * Person→Team, Team→Team; DEPENDS_ON Application→Application, Service or
 * CloudResource; RUNS_ON Application→CloudResource; IN_ACCOUNT
 * CloudResource→CloudAccount; DEFINES Repository→CloudResource.
 */
export type RelType =
  /** Change → Application or Service; Incident → Service or Application. */
  | 'AFFECTS'
  | 'BUILDS'
  /** Incident → Change that caused it. */
  | 'CAUSED_BY'
  | 'DEFINES'
  | 'DEPENDS_ON'
  | 'IN_ACCOUNT'
  /** Change → Team or Person that made it. */
  | 'MADE_BY'
  | 'MEMBER_OF'
  | 'OWNS'
  | 'PART_OF'
  | 'RUNS_ON';

/** An API token's role. Each role includes the ones before it. */
export type Role =
  /** Edits, and manages API tokens. */
  | 'ADMIN'
  /** Reads, and edits the graph (mutations). */
  | 'EDITOR'
  /** Reads everything. */
  | 'VIEWER';

/** One shadow finding: its kind, the entity it is about, and for a tag finding the tag and value. */
export type ShadowFindingInput = {
  item: string | number;
  kind: string;
  tag?: string | null | undefined;
  value?: string | null | undefined;
};

export type UnlinkInput = {
  from: RefInput;
  /** On OWNS only; TECHNICAL by default. */
  role?: OwnerRole | null | undefined;
  to: RefInput;
  type: RelType;
};

export type ItemFieldsFragment = { kind: Kind, key: string, name: string, entity:
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type ImpactQueryVariables = Exact<{
  refs: Array<string> | string;
  direction: ImpactDirection;
  maxDepth: number;
  changedPaths?: Array<string> | string | null | undefined;
}>;


export type ImpactQuery = { impact: { direction: ImpactDirection, maxDepth: number, changedPaths: Array<string>, highestTier: number, truncated: boolean, starts: Array<{ kind: Kind, key: string, name: string, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null }>, affected: Array<{ kind: Kind, key: string, name: string, depth: number, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null, path: Array<{ type: RelType, path: string, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } }> }>, ignored: Array<{ kind: Kind, key: string, name: string, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null }>, services: Array<{ tier: number, service: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }, businessUnit: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null } | null, applications: Array<{ kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }> }>, unassigned: Array<{ kind: Kind, key: string, name: string, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null }>, businessUnits: Array<{ highestTier: number, businessUnit: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }, services: Array<{ kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }> }>, notify: Array<{ kind: Kind, key: string, name: string, email: string, channel: string, for: Array<string>, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null }> } };

export type ShadowFindingFieldsFragment = { kind: string, explanation: string, account: string, businessUnits: Array<string>, tag: string, value: string, relatedCount: number, archived: boolean, item: { kind: Kind, key: string, name: string, entity:
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
     | null }, related: Array<{ kind: Kind, key: string, name: string, entity:
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
     | null }>, acceptance: { by: string, at: string, until: string | null, reason: string, expired: boolean } | null };

export type ShadowEstateQueryVariables = Exact<{ [key: string]: never; }>;


export type ShadowEstateQuery = { shadowEstate: { acceptedCount: number, findings: Array<{ kind: string, explanation: string, account: string, businessUnits: Array<string>, tag: string, value: string, relatedCount: number, archived: boolean, item: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }, related: Array<{ kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }>, acceptance: { by: string, at: string, until: string | null, reason: string, expired: boolean } | null }>, accepted: Array<{ kind: string, explanation: string, account: string, businessUnits: Array<string>, tag: string, value: string, relatedCount: number, archived: boolean, item: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }, related: Array<{ kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }>, acceptance: { by: string, at: string, until: string | null, reason: string, expired: boolean } | null }>, byKind: Array<{ key: string, name: string, count: number }>, byBusinessUnit: Array<{ key: string, name: string, count: number }>, byAccount: Array<{ key: string, name: string, count: number }> } };

export type RatioFieldsFragment = { count: number, total: number, percent: number };

export type CompletenessFieldsFragment = { servicesOwned: { count: number, total: number, percent: number }, repositoriesMapped: { count: number, total: number, percent: number }, resourcesOwned: { count: number, total: number, percent: number } };

export type HealthQueryVariables = Exact<{
  staleDays: number;
}>;


export type HealthQuery = { health: { at: string, staleDays: number, completeness: { servicesOwned: { count: number, total: number, percent: number }, repositoriesMapped: { count: number, total: number, percent: number }, resourcesOwned: { count: number, total: number, percent: number } }, staleness: { stale: { count: number, total: number, percent: number }, byKind: Array<{ kind: Kind, ratio: { count: number, total: number, percent: number } }>, oldest: Array<{ kind: Kind, key: string, name: string, lastSeen: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }> }, byBusinessUnit: Array<{ businessUnit: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }, completeness: { servicesOwned: { count: number, total: number, percent: number }, repositoriesMapped: { count: number, total: number, percent: number }, resourcesOwned: { count: number, total: number, percent: number } }, stale: { count: number, total: number, percent: number } }> } };

export type WhoOwnsQueryVariables = Exact<{
  ref: string;
}>;


export type WhoOwnsQuery = { whoOwns: { resolution: string, subject: { kind: Kind, key: string, name: string, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null } | null, owners: Array<{ kind: Kind, key: string, name: string, email: string, channel: string, departed: boolean, role: OwnerRole, class: OwnershipClass, confidence: Confidence, accountable: boolean, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null, inheritedFrom: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null } | null, evidence: Array<{ source: string, confidence: Confidence, evidence: string, class: OwnershipClass }> }>, conflicts: Array<{ role: OwnerRole, owners: Array<string>, resolved: boolean, winner: string, explanation: string }>, escalation: Array<{ steps: Array<{ kind: Kind, key: string, name: string, email: string, channel: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }> }> } };

export type LikelyDuplicatesQueryVariables = Exact<{
  first: number;
}>;


export type LikelyDuplicatesQuery = { likelyDuplicates: { totalCount: number, groups: Array<{ kind: Kind, shared: Array<string>, entities: Array<
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
        | { id: string, key: string, name: string }
      > }> } };

export type WhoOwnsEachQueryVariables = Exact<{
  refs: Array<string> | string;
}>;


export type WhoOwnsEachQuery = { whoOwnsEach: Array<{ ref: string, code: string | null, message: string | null, answer: { subject: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null } | null, candidates: Array<{ kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }>, owners: Array<{ kind: Kind, key: string, name: string, email: string, channel: string, departed: boolean, role: OwnerRole, accountable: boolean, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null }> } | null }> };

export type OwnedByQueryVariables = Exact<{
  ref: string;
}>;


export type OwnedByQuery = { ownedBy: { truncated: boolean, items: Array<{ kind: Kind, key: string, name: string, role: OwnerRole, class: OwnershipClass, accountable: boolean, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null, inheritedFrom: { kind: Kind, key: string, name: string, entity:
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
          | { id: string }
         | null } | null }> } };

export type AcceptShadowFindingsMutationVariables = Exact<{
  findings: Array<ShadowFindingInput> | ShadowFindingInput;
  reason: string;
  until?: string | null | undefined;
}>;


export type AcceptShadowFindingsMutation = { acceptShadowFindings: { findings: Array<{ kind: string }> } };

export type ReopenShadowFindingsMutationVariables = Exact<{
  findings: Array<ShadowFindingInput> | ShadowFindingInput;
}>;


export type ReopenShadowFindingsMutation = { reopenShadowFindings: { findings: Array<{ kind: string }> } };

export type ChangeRowFragment = { id: string, key: string, repository: string | null, commit: string | null, environment: string | null, class: ChangeClass | null, score: number | null, status: ChangeStatus | null, team: string | null, assessedAt: string | null, decidedAt: string | null, decidedBy: string | null };

export type ChangesQueryVariables = Exact<{
  status?: ChangeStatus | null | undefined;
  class?: ChangeClass | null | undefined;
  team?: string | null | undefined;
  orderBy?: ChangeOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ChangesQuery = { changes: { totalCount: number, nodes: Array<{ id: string, key: string, repository: string | null, commit: string | null, environment: string | null, class: ChangeClass | null, score: number | null, status: ChangeStatus | null, team: string | null, assessedAt: string | null, decidedAt: string | null, decidedBy: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ChangeDetailQueryVariables = Exact<{
  key: string;
}>;


export type ChangeDetailQuery = { change: { policyVersion: string | null, changedPaths: Array<string>, linesChanged: number | null, coverage: number | null, components: number | null, committedAt: string | null, requestedBy: string | null, decisionReason: string | null, id: string, key: string, repository: string | null, commit: string | null, environment: string | null, class: ChangeClass | null, score: number | null, status: ChangeStatus | null, team: string | null, assessedAt: string | null, decidedAt: string | null, decidedBy: string | null, factors: Array<{ name: string, points: number, explanation: string, blocksStandard: boolean, items: Array<{ kind: Kind, key: string }> }>, affects: { totalCount: number, edges: Array<{ node:
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
          | { id: string, kind: Kind, key: string, name: string }
         }> }, incidents: { totalCount: number, edges: Array<{ node:
          | { __typename: 'Application', id: string, key: string, name: string }
          | { __typename: 'BusinessUnit', id: string, key: string, name: string }
          | { __typename: 'Change', id: string, key: string, name: string }
          | { __typename: 'CloudAccount', id: string, key: string, name: string }
          | { __typename: 'CloudResource', id: string, key: string, name: string }
          | { __typename: 'Incident', severity: string | null, status: string | null, startedAt: string | null, restoredAt: string | null, url: string | null, id: string, key: string, name: string }
          | { __typename: 'Person', id: string, key: string, name: string }
          | { __typename: 'Repository', id: string, key: string, name: string }
          | { __typename: 'Service', id: string, key: string, name: string }
          | { __typename: 'Team', id: string, key: string, name: string }
         }> } } | null };

export type MembershipQueryVariables = Exact<{ [key: string]: never; }>;


export type MembershipQuery = { viewer: { role: Role, anonymous: boolean, teams: Array<string>, cab: boolean } };

export type ApproveChangeMutationVariables = Exact<{
  key: string;
  reason?: string | null | undefined;
}>;


export type ApproveChangeMutation = { approveChange: { decisionReason: string | null, id: string, key: string, repository: string | null, commit: string | null, environment: string | null, class: ChangeClass | null, score: number | null, status: ChangeStatus | null, team: string | null, assessedAt: string | null, decidedAt: string | null, decidedBy: string | null } };

export type RejectChangeMutationVariables = Exact<{
  key: string;
  reason?: string | null | undefined;
}>;


export type RejectChangeMutation = { rejectChange: { decisionReason: string | null, id: string, key: string, repository: string | null, commit: string | null, environment: string | null, class: ChangeClass | null, score: number | null, status: ChangeStatus | null, team: string | null, assessedAt: string | null, decidedAt: string | null, decidedBy: string | null } };

export type MetricsFieldsFragment = { from: string, to: string, deployments: number, deploymentsPerDay: number, leadTimeSeconds: number | null, failedDeployments: number, changeFailureRate: number, incidents: number, restored: number, timeToRestoreSeconds: number | null };

export type TeamDeliveryQueryVariables = Exact<{
  team: string;
}>;


export type TeamDeliveryQuery = { teamAccreditation: { level: AccreditationLevel, reasons: Array<string>, incidentsCaused: number, metrics: { from: string, to: string, deployments: number, deploymentsPerDay: number, leadTimeSeconds: number | null, failedDeployments: number, changeFailureRate: number, incidents: number, restored: number, timeToRestoreSeconds: number | null } } };

export type ScopeDeliveryQueryVariables = Exact<{
  kind: Kind;
  key: string;
  from: string;
  to: string;
}>;


export type ScopeDeliveryQuery = { deliveryMetrics: { from: string, to: string, deployments: number, deploymentsPerDay: number, leadTimeSeconds: number | null, failedDeployments: number, changeFailureRate: number, incidents: number, restored: number, timeToRestoreSeconds: number | null } };

export type SuspectChangesQueryVariables = Exact<{
  key: string;
  days?: number | null | undefined;
}>;


export type SuspectChangesQuery = { entity:
    | { suspectChanges: { days: number, depth: number, truncated: boolean, suspects: Array<{ distance: number, minutesBefore: number, recordedCause: boolean, change: { key: string, name: string, class: ChangeClass | null }, affects: { kind: Kind, key: string, name: string, entity:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             | null } | null, hit: { kind: Kind, key: string, name: string } | null, path: Array<{ type: RelType, from: { key: string }, to: { key: string } }> }> } }
    | Record<PropertyKey, never>
   | null };

export type CandidatesQueryVariables = Exact<{
  text: string;
  kinds?: Array<Kind> | Kind | null | undefined;
}>;


export type CandidatesQuery = { search: Array<
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
  > };

export type AddLinkMutationVariables = Exact<{
  input: LinkInput;
}>;


export type AddLinkMutation = { link: { created: boolean } };

export type RemoveLinkMutationVariables = Exact<{
  input: UnlinkInput;
}>;


export type RemoveLinkMutation = { unlink: { removed: number } };

export type RegisterAccountMutationVariables = Exact<{
  input: Array<EntityInput> | EntityInput;
}>;


export type RegisterAccountMutation = { upsertEntities: { updated: number } };

export type LikelyDuplicatesOfQueryVariables = Exact<{
  id: string | number;
}>;


export type LikelyDuplicatesOfQuery = { likelyDuplicatesOf: { entities: Array<
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
      | { id: string, kind: Kind, key: string, name: string }
    > } | null };

export type MergeEntitiesMutationVariables = Exact<{
  input: MergeEntitiesInput;
}>;


export type MergeEntitiesMutation = { mergeEntities: { mergedKey: string } };

export type MarkDistinctMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type MarkDistinctMutation = { markDistinct: { entities: Array<
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
    > } };

export type EntityByKeyQueryVariables = Exact<{
  kind: Kind;
  key: string;
}>;


export type EntityByKeyQuery = { entity:
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
    | { id: string, name: string }
   | null };

export type WithdrawDistinctMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type WithdrawDistinctMutation = { markDistinct: { entities: Array<
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
      | { id: string }
    > } };

export type AssertionFieldsFragment = { source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null };

export type RelFieldsFragment = { cursor: string, node:
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
  , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } };

export type EntityPageQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
}>;


export type EntityPageQuery = { node:
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, description: string | null, lifecycle: string | null, hostnames: Array<string>, urls: Array<string>, id: string, appType: string | null, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> }, service: { id: string, name: string } | null }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, description: string | null, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, provider: string | null, registered: boolean | null, environment: string | null, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, provider: string | null, region: string | null, accountId: string | null, hostnames: Array<string>, createdAt: string | null, id: string, resourceType: string | null, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, email: string | null, handles: Array<string>, title: string | null, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, description: string | null, host: string | null, url: string | null, defaultBranch: string | null, visibility: string | null, archived: boolean | null, fork: boolean | null, language: string | null, topics: Array<string>, pushedAt: string | null, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, description: string | null, tier: number | null, lifecycle: string | null, criticality: string | null, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { kind: Kind, key: string, name: string, confidence: Confidence, firstSeen: string, lastSeen: string, description: string | null, contact: string | null, email: string | null, id: string, labels: Array<{ key: string, value: string }>, aliases: Array<{ value: string, source: string }>, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }>, owners: { totalCount: number, edges: Array<{ cursor: string, relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string, run: string, confidence: Confidence, evidence: string, firstSeen: string, lastSeen: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null }> }, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
           }> }, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
   | null };

export type MoreRelationshipsQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
  first?: number | null | undefined;
}>;


export type MoreRelationshipsQuery = { node:
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
    | { id: string, relationships: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, direction: Direction, confidence: Confidence, evidence: string | null, role: OwnerRole | null, path: string | null, firstSeen: string, lastSeen: string, sources: Array<{ source: string }> } }> } }
   | null };

export type MergedIntoQueryVariables = Exact<{
  id: string | number;
}>;


export type MergedIntoQuery = { mergedInto:
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
    | { id: string, kind: Kind, name: string }
   | null };

type GraphNode_Application_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_BusinessUnit_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_Change_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_CloudAccount_Fragment = { registered: boolean | null, id: string, kind: Kind, key: string, name: string };

type GraphNode_CloudResource_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_Incident_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_Person_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_Repository_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_Service_Fragment = { id: string, kind: Kind, key: string, name: string };

type GraphNode_Team_Fragment = { id: string, kind: Kind, key: string, name: string };

export type GraphNodeFragment =
  | GraphNode_Application_Fragment
  | GraphNode_BusinessUnit_Fragment
  | GraphNode_Change_Fragment
  | GraphNode_CloudAccount_Fragment
  | GraphNode_CloudResource_Fragment
  | GraphNode_Incident_Fragment
  | GraphNode_Person_Fragment
  | GraphNode_Repository_Fragment
  | GraphNode_Service_Fragment
  | GraphNode_Team_Fragment
;

export type NeighbourhoodQueryVariables = Exact<{
  id: string | number;
  types?: Array<RelType> | RelType | null | undefined;
  first?: number | null | undefined;
}>;


export type NeighbourhoodQuery = { node:
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, registered: boolean | null, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
    | { id: string, kind: Kind, key: string, name: string, relationships: { totalCount: number, edges: Array<{ node:
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { registered: boolean | null, id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
            | { id: string, kind: Kind, key: string, name: string }
          , relationship: { id: string, type: RelType, confidence: Confidence, role: OwnerRole | null, from:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
            , to:
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
              | { id: string }
             } }> } }
   | null };

export type UnownedQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type UnownedQuery = { unowned: Array<string> };

export type EntityHistoryQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type EntityHistoryQuery = { node:
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | { history: { nodes: Array<{ at: string, op: AuditOp, actor: string, source: string, run: string, ingestRun: { id: string, status: IngestRunStatus, started: string } | null, entity: { kind: Kind, key: string } | null, relationship: { type: RelType, from: { kind: Kind, key: string }, to: { kind: Kind, key: string } } | null, changes: Array<{ field: string, before: string, after: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
   | null };

export type RunFieldsFragment = { id: string, source: string, status: IngestRunStatus, startedBy: string, started: string, ended: string | null, nodes: number, edges: number, sweepHeld: string, keptScopes: Array<string>, errorCount: number, warningCount: number, error: string, shadowFindings: number | null, applied: { nodesCreated: number, nodesUpdated: number, edgesCreated: number, edgesUpdated: number }, swept: { nodesRemoved: number, edgesRemoved: number, nodesRetracted: number, edgesRetracted: number } | null, errors: Array<{ item: string, error: string }> };

export type IngestRunsQueryVariables = Exact<{
  source?: string | null | undefined;
  status?: IngestRunStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type IngestRunsQuery = { ingestRuns: { totalCount: number, nodes: Array<{ id: string, source: string, status: IngestRunStatus, startedBy: string, started: string, ended: string | null, nodes: number, edges: number, sweepHeld: string, keptScopes: Array<string>, errorCount: number, warningCount: number, error: string, shadowFindings: number | null, applied: { nodesCreated: number, nodesUpdated: number, edgesCreated: number, edgesUpdated: number }, swept: { nodesRemoved: number, edgesRemoved: number, nodesRetracted: number, edgesRetracted: number } | null, errors: Array<{ item: string, error: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, ingestSources: Array<{ name: string, type: string, source: string | null, problem: string, running: boolean, schedule: string | null, nextRunAt: string | null, lastRun: { id: string, status: IngestRunStatus, ended: string | null } | null }> };

export type IngestRunQueryVariables = Exact<{
  id: string;
}>;


export type IngestRunQuery = { ingestRun: { id: string, source: string, status: IngestRunStatus, startedBy: string, started: string, ended: string | null, nodes: number, edges: number, sweepHeld: string, keptScopes: Array<string>, errorCount: number, warningCount: number, error: string, shadowFindings: number | null, applied: { nodesCreated: number, nodesUpdated: number, edgesCreated: number, edgesUpdated: number }, swept: { nodesRemoved: number, edgesRemoved: number, nodesRetracted: number, edgesRetracted: number } | null, errors: Array<{ item: string, error: string }> } | null };

export type ShadowTrendQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type ShadowTrendQuery = { ingestRuns: { nodes: Array<{ id: string, source: string, status: IngestRunStatus, started: string, shadowFindings: number | null, summary: Array<{ key: string, value: number }> }> } };

export type StartIngestMutationVariables = Exact<{
  source: string;
}>;


export type StartIngestMutation = { startIngest: { id: string, status: IngestRunStatus } };

export type NotifyTargetsQueryVariables = Exact<{ [key: string]: never; }>;


export type NotifyTargetsQuery = { notifyTargets: Array<{ name: string, type: string, findings: Array<string>, changes: Array<string> }>, viewer: { role: Role } };

export type TestNotifyTargetMutationVariables = Exact<{
  name: string;
}>;


export type TestNotifyTargetMutation = { testNotifyTarget: { target: string, delivered: boolean, problem: string } };

export type SearchQueryVariables = Exact<{
  text: string;
  first?: number | null | undefined;
}>;


export type SearchQuery = { resolve: Array<
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
  >, search: Array<
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
    | { id: string, kind: Kind, key: string, name: string }
  > };

export type LookupQueryVariables = Exact<{
  ref: string;
}>;


export type LookupQuery = { lookup: { resolution: string, subject: { kind: Kind, key: string, name: string, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null } | null, candidates: Array<{ kind: Kind, key: string, name: string, entity:
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
        | { id: string }
       | null }> } | null };

export type TokensQueryVariables = Exact<{ [key: string]: never; }>;


export type TokensQuery = { tokens: Array<{ id: string, name: string, role: Role, createdAt: string, teams: Array<string>, cab: boolean }> };

export type TokenInfoFragment = { id: string, name: string, role: Role, createdAt: string, teams: Array<string>, cab: boolean };

export type CreateTokenMutationVariables = Exact<{
  role: Role;
  name: string;
  teams?: Array<string> | string | null | undefined;
  cab?: boolean | null | undefined;
}>;


export type CreateTokenMutation = { createToken: { token: string, info: { id: string, name: string, role: Role, createdAt: string, teams: Array<string>, cab: boolean } } };

export type RevokeTokenMutationVariables = Exact<{
  id: string;
}>;


export type RevokeTokenMutation = { revokeToken: { id: string, name: string } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { name: string, role: Role, anonymous: boolean, person: { id: string } | null } };

export type StatsQueryVariables = Exact<{ [key: string]: never; }>;


export type StatsQuery = { stats: { entities: number, relationships: number, kinds: Array<{ kind: Kind, count: number }>, relationshipTypes: Array<{ type: RelType, count: number }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ItemFieldsFragmentDoc = new TypedDocumentString(`
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}
    `, {"fragmentName":"ItemFields"}) as unknown as TypedDocumentString<ItemFieldsFragment, unknown>;
export const ShadowFindingFieldsFragmentDoc = new TypedDocumentString(`
    fragment ShadowFindingFields on ShadowFinding {
  kind
  item {
    ...ItemFields
  }
  explanation
  account
  businessUnits
  tag
  value
  relatedCount
  related(first: 20) {
    ...ItemFields
  }
  archived
  acceptance {
    by
    at
    until
    reason
    expired
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}`, {"fragmentName":"ShadowFindingFields"}) as unknown as TypedDocumentString<ShadowFindingFieldsFragment, unknown>;
export const RatioFieldsFragmentDoc = new TypedDocumentString(`
    fragment RatioFields on Ratio {
  count
  total
  percent
}
    `, {"fragmentName":"RatioFields"}) as unknown as TypedDocumentString<RatioFieldsFragment, unknown>;
export const CompletenessFieldsFragmentDoc = new TypedDocumentString(`
    fragment CompletenessFields on Completeness {
  servicesOwned {
    ...RatioFields
  }
  repositoriesMapped {
    ...RatioFields
  }
  resourcesOwned {
    ...RatioFields
  }
}
    fragment RatioFields on Ratio {
  count
  total
  percent
}`, {"fragmentName":"CompletenessFields"}) as unknown as TypedDocumentString<CompletenessFieldsFragment, unknown>;
export const ChangeRowFragmentDoc = new TypedDocumentString(`
    fragment ChangeRow on Change {
  id
  key
  repository
  commit
  environment
  class
  score
  status
  team
  assessedAt
  decidedAt
  decidedBy
}
    `, {"fragmentName":"ChangeRow"}) as unknown as TypedDocumentString<ChangeRowFragment, unknown>;
export const MetricsFieldsFragmentDoc = new TypedDocumentString(`
    fragment MetricsFields on DeliveryMetrics {
  from
  to
  deployments
  deploymentsPerDay
  leadTimeSeconds
  failedDeployments
  changeFailureRate
  incidents
  restored
  timeToRestoreSeconds
}
    `, {"fragmentName":"MetricsFields"}) as unknown as TypedDocumentString<MetricsFieldsFragment, unknown>;
export const AssertionFieldsFragmentDoc = new TypedDocumentString(`
    fragment AssertionFields on Assertion {
  source
  run
  confidence
  evidence
  firstSeen
  lastSeen
  ingestRun {
    id
    status
    started
  }
}
    `, {"fragmentName":"AssertionFields"}) as unknown as TypedDocumentString<AssertionFieldsFragment, unknown>;
export const RelFieldsFragmentDoc = new TypedDocumentString(`
    fragment RelFields on RelationshipEdge {
  cursor
  node {
    id
    kind
    key
    name
  }
  relationship {
    id
    type
    direction
    confidence
    evidence
    role
    path
    firstSeen
    lastSeen
    sources {
      source
    }
  }
}
    `, {"fragmentName":"RelFields"}) as unknown as TypedDocumentString<RelFieldsFragment, unknown>;
export const GraphNodeFragmentDoc = new TypedDocumentString(`
    fragment GraphNode on Entity {
  id
  kind
  key
  name
  ... on CloudAccount {
    registered
  }
}
    `, {"fragmentName":"GraphNode"}) as unknown as TypedDocumentString<GraphNodeFragment, unknown>;
export const RunFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunFields on IngestRun {
  id
  source
  status
  startedBy
  started
  ended
  nodes
  edges
  applied {
    nodesCreated
    nodesUpdated
    edgesCreated
    edgesUpdated
  }
  swept {
    nodesRemoved
    edgesRemoved
    nodesRetracted
    edgesRetracted
  }
  sweepHeld
  keptScopes
  errorCount
  errors {
    item
    error
  }
  warningCount
  error
  shadowFindings
}
    `, {"fragmentName":"RunFields"}) as unknown as TypedDocumentString<RunFieldsFragment, unknown>;
export const TokenInfoFragmentDoc = new TypedDocumentString(`
    fragment TokenInfo on Token {
  id
  name
  role
  createdAt
  teams
  cab
}
    `, {"fragmentName":"TokenInfo"}) as unknown as TypedDocumentString<TokenInfoFragment, unknown>;
export const ImpactDocument = new TypedDocumentString(`
    query Impact($refs: [String!]!, $direction: ImpactDirection!, $maxDepth: Int!, $changedPaths: [String!]) {
  impact(
    refs: $refs
    direction: $direction
    maxDepth: $maxDepth
    changedPaths: $changedPaths
  ) {
    starts {
      ...ItemFields
    }
    direction
    maxDepth
    changedPaths
    highestTier
    truncated
    affected {
      kind
      key
      name
      entity {
        id
      }
      depth
      path {
        type
        from {
          kind
          key
        }
        to {
          kind
          key
        }
        path
      }
    }
    ignored {
      ...ItemFields
    }
    services {
      service {
        ...ItemFields
      }
      tier
      businessUnit {
        ...ItemFields
      }
      applications {
        ...ItemFields
      }
    }
    unassigned {
      ...ItemFields
    }
    businessUnits {
      businessUnit {
        ...ItemFields
      }
      services {
        ...ItemFields
      }
      highestTier
    }
    notify {
      kind
      key
      name
      email
      channel
      entity {
        id
      }
      for
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}`) as unknown as TypedDocumentString<ImpactQuery, ImpactQueryVariables>;
export const ShadowEstateDocument = new TypedDocumentString(`
    query ShadowEstate {
  shadowEstate {
    findings {
      ...ShadowFindingFields
    }
    accepted: findings(accepted: true) {
      ...ShadowFindingFields
    }
    acceptedCount
    byKind {
      key
      name
      count
    }
    byBusinessUnit {
      key
      name
      count
    }
    byAccount {
      key
      name
      count
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}
fragment ShadowFindingFields on ShadowFinding {
  kind
  item {
    ...ItemFields
  }
  explanation
  account
  businessUnits
  tag
  value
  relatedCount
  related(first: 20) {
    ...ItemFields
  }
  archived
  acceptance {
    by
    at
    until
    reason
    expired
  }
}`) as unknown as TypedDocumentString<ShadowEstateQuery, ShadowEstateQueryVariables>;
export const HealthDocument = new TypedDocumentString(`
    query Health($staleDays: Int!) {
  health(staleDays: $staleDays) {
    at
    staleDays
    completeness {
      ...CompletenessFields
    }
    staleness {
      stale {
        ...RatioFields
      }
      byKind {
        kind
        ratio {
          ...RatioFields
        }
      }
      oldest {
        kind
        key
        name
        entity {
          id
        }
        lastSeen
      }
    }
    byBusinessUnit {
      businessUnit {
        ...ItemFields
      }
      completeness {
        ...CompletenessFields
      }
      stale {
        ...RatioFields
      }
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}
fragment RatioFields on Ratio {
  count
  total
  percent
}
fragment CompletenessFields on Completeness {
  servicesOwned {
    ...RatioFields
  }
  repositoriesMapped {
    ...RatioFields
  }
  resourcesOwned {
    ...RatioFields
  }
}`) as unknown as TypedDocumentString<HealthQuery, HealthQueryVariables>;
export const WhoOwnsDocument = new TypedDocumentString(`
    query WhoOwns($ref: String!) {
  whoOwns(ref: $ref) {
    resolution
    subject {
      ...ItemFields
    }
    owners {
      kind
      key
      name
      email
      channel
      departed
      entity {
        id
      }
      role
      class
      confidence
      accountable
      inheritedFrom {
        ...ItemFields
      }
      evidence {
        source
        confidence
        evidence
        class
      }
    }
    conflicts {
      role
      owners
      resolved
      winner
      explanation
    }
    escalation {
      steps {
        kind
        key
        name
        email
        channel
        entity {
          id
        }
      }
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}`) as unknown as TypedDocumentString<WhoOwnsQuery, WhoOwnsQueryVariables>;
export const LikelyDuplicatesDocument = new TypedDocumentString(`
    query LikelyDuplicates($first: Int!) {
  likelyDuplicates(first: $first) {
    totalCount
    groups {
      kind
      shared
      entities {
        id
        key
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LikelyDuplicatesQuery, LikelyDuplicatesQueryVariables>;
export const WhoOwnsEachDocument = new TypedDocumentString(`
    query WhoOwnsEach($refs: [String!]!) {
  whoOwnsEach(refs: $refs) {
    ref
    code
    message
    answer {
      subject {
        ...ItemFields
      }
      candidates {
        ...ItemFields
      }
      owners {
        kind
        key
        name
        email
        channel
        departed
        role
        accountable
        entity {
          id
        }
      }
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}`) as unknown as TypedDocumentString<WhoOwnsEachQuery, WhoOwnsEachQueryVariables>;
export const OwnedByDocument = new TypedDocumentString(`
    query OwnedBy($ref: String!) {
  ownedBy(ref: $ref) {
    truncated
    items {
      kind
      key
      name
      entity {
        id
      }
      role
      class
      accountable
      inheritedFrom {
        ...ItemFields
      }
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}`) as unknown as TypedDocumentString<OwnedByQuery, OwnedByQueryVariables>;
export const AcceptShadowFindingsDocument = new TypedDocumentString(`
    mutation AcceptShadowFindings($findings: [ShadowFindingInput!]!, $reason: String!, $until: Time) {
  acceptShadowFindings(findings: $findings, reason: $reason, until: $until) {
    findings {
      kind
    }
  }
}
    `) as unknown as TypedDocumentString<AcceptShadowFindingsMutation, AcceptShadowFindingsMutationVariables>;
export const ReopenShadowFindingsDocument = new TypedDocumentString(`
    mutation ReopenShadowFindings($findings: [ShadowFindingInput!]!) {
  reopenShadowFindings(findings: $findings) {
    findings {
      kind
    }
  }
}
    `) as unknown as TypedDocumentString<ReopenShadowFindingsMutation, ReopenShadowFindingsMutationVariables>;
export const ChangesDocument = new TypedDocumentString(`
    query Changes($status: ChangeStatus, $class: ChangeClass, $team: String, $orderBy: ChangeOrder, $first: Int = 50, $after: String) {
  changes(
    status: $status
    class: $class
    team: $team
    orderBy: $orderBy
    first: $first
    after: $after
  ) {
    totalCount
    nodes {
      ...ChangeRow
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment ChangeRow on Change {
  id
  key
  repository
  commit
  environment
  class
  score
  status
  team
  assessedAt
  decidedAt
  decidedBy
}`) as unknown as TypedDocumentString<ChangesQuery, ChangesQueryVariables>;
export const ChangeDetailDocument = new TypedDocumentString(`
    query ChangeDetail($key: String!) {
  change(key: $key) {
    ...ChangeRow
    policyVersion
    changedPaths
    linesChanged
    coverage
    components
    committedAt
    requestedBy
    decisionReason
    factors {
      name
      points
      explanation
      blocksStandard
      items {
        kind
        key
      }
    }
    affects(first: 100) {
      totalCount
      edges {
        node {
          id
          kind
          key
          name
        }
      }
    }
    incidents(first: 20) {
      totalCount
      edges {
        node {
          __typename
          id
          key
          name
          ... on Incident {
            severity
            status
            startedAt
            restoredAt
            url
          }
        }
      }
    }
  }
}
    fragment ChangeRow on Change {
  id
  key
  repository
  commit
  environment
  class
  score
  status
  team
  assessedAt
  decidedAt
  decidedBy
}`) as unknown as TypedDocumentString<ChangeDetailQuery, ChangeDetailQueryVariables>;
export const MembershipDocument = new TypedDocumentString(`
    query Membership {
  viewer {
    role
    anonymous
    teams
    cab
  }
}
    `) as unknown as TypedDocumentString<MembershipQuery, MembershipQueryVariables>;
export const ApproveChangeDocument = new TypedDocumentString(`
    mutation ApproveChange($key: String!, $reason: String) {
  approveChange(key: $key, reason: $reason) {
    ...ChangeRow
    decisionReason
  }
}
    fragment ChangeRow on Change {
  id
  key
  repository
  commit
  environment
  class
  score
  status
  team
  assessedAt
  decidedAt
  decidedBy
}`) as unknown as TypedDocumentString<ApproveChangeMutation, ApproveChangeMutationVariables>;
export const RejectChangeDocument = new TypedDocumentString(`
    mutation RejectChange($key: String!, $reason: String) {
  rejectChange(key: $key, reason: $reason) {
    ...ChangeRow
    decisionReason
  }
}
    fragment ChangeRow on Change {
  id
  key
  repository
  commit
  environment
  class
  score
  status
  team
  assessedAt
  decidedAt
  decidedBy
}`) as unknown as TypedDocumentString<RejectChangeMutation, RejectChangeMutationVariables>;
export const TeamDeliveryDocument = new TypedDocumentString(`
    query TeamDelivery($team: String!) {
  teamAccreditation(team: $team) {
    level
    reasons
    incidentsCaused
    metrics {
      ...MetricsFields
    }
  }
}
    fragment MetricsFields on DeliveryMetrics {
  from
  to
  deployments
  deploymentsPerDay
  leadTimeSeconds
  failedDeployments
  changeFailureRate
  incidents
  restored
  timeToRestoreSeconds
}`) as unknown as TypedDocumentString<TeamDeliveryQuery, TeamDeliveryQueryVariables>;
export const ScopeDeliveryDocument = new TypedDocumentString(`
    query ScopeDelivery($kind: Kind!, $key: String!, $from: Time!, $to: Time!) {
  deliveryMetrics(kind: $kind, key: $key, from: $from, to: $to) {
    ...MetricsFields
  }
}
    fragment MetricsFields on DeliveryMetrics {
  from
  to
  deployments
  deploymentsPerDay
  leadTimeSeconds
  failedDeployments
  changeFailureRate
  incidents
  restored
  timeToRestoreSeconds
}`) as unknown as TypedDocumentString<ScopeDeliveryQuery, ScopeDeliveryQueryVariables>;
export const SuspectChangesDocument = new TypedDocumentString(`
    query SuspectChanges($key: String!, $days: Int) {
  entity(kind: Incident, key: $key) {
    ... on Incident {
      suspectChanges(days: $days) {
        days
        depth
        truncated
        suspects {
          change {
            key
            name
            class
          }
          affects {
            kind
            key
            name
            entity {
              id
            }
          }
          hit {
            kind
            key
            name
          }
          distance
          minutesBefore
          recordedCause
          path {
            type
            from {
              key
            }
            to {
              key
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SuspectChangesQuery, SuspectChangesQueryVariables>;
export const CandidatesDocument = new TypedDocumentString(`
    query Candidates($text: String!, $kinds: [Kind!]) {
  search(text: $text, kinds: $kinds, first: 10) {
    id
    kind
    key
    name
  }
}
    `) as unknown as TypedDocumentString<CandidatesQuery, CandidatesQueryVariables>;
export const AddLinkDocument = new TypedDocumentString(`
    mutation AddLink($input: LinkInput!) {
  link(input: $input) {
    created
  }
}
    `) as unknown as TypedDocumentString<AddLinkMutation, AddLinkMutationVariables>;
export const RemoveLinkDocument = new TypedDocumentString(`
    mutation RemoveLink($input: UnlinkInput!) {
  unlink(input: $input) {
    removed
  }
}
    `) as unknown as TypedDocumentString<RemoveLinkMutation, RemoveLinkMutationVariables>;
export const RegisterAccountDocument = new TypedDocumentString(`
    mutation RegisterAccount($input: [EntityInput!]!) {
  upsertEntities(input: $input) {
    updated
  }
}
    `) as unknown as TypedDocumentString<RegisterAccountMutation, RegisterAccountMutationVariables>;
export const LikelyDuplicatesOfDocument = new TypedDocumentString(`
    query LikelyDuplicatesOf($id: ID!) {
  likelyDuplicatesOf(id: $id) {
    entities {
      id
      kind
      key
      name
    }
  }
}
    `) as unknown as TypedDocumentString<LikelyDuplicatesOfQuery, LikelyDuplicatesOfQueryVariables>;
export const MergeEntitiesDocument = new TypedDocumentString(`
    mutation MergeEntities($input: MergeEntitiesInput!) {
  mergeEntities(input: $input) {
    mergedKey
  }
}
    `) as unknown as TypedDocumentString<MergeEntitiesMutation, MergeEntitiesMutationVariables>;
export const MarkDistinctDocument = new TypedDocumentString(`
    mutation MarkDistinct($ids: [ID!]!) {
  markDistinct(ids: $ids) {
    entities {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<MarkDistinctMutation, MarkDistinctMutationVariables>;
export const EntityByKeyDocument = new TypedDocumentString(`
    query EntityByKey($kind: Kind!, $key: String!) {
  entity(kind: $kind, key: $key) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<EntityByKeyQuery, EntityByKeyQueryVariables>;
export const WithdrawDistinctDocument = new TypedDocumentString(`
    mutation WithdrawDistinct($ids: [ID!]!) {
  markDistinct(ids: $ids, distinct: false) {
    entities {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<WithdrawDistinctMutation, WithdrawDistinctMutationVariables>;
export const EntityPageDocument = new TypedDocumentString(`
    query EntityPage($id: ID!, $first: Int = 100) {
  node(id: $id) {
    id
    ... on Entity {
      kind
      key
      name
      confidence
      firstSeen
      lastSeen
      labels {
        key
        value
      }
      aliases {
        value
        source
      }
      sources {
        ...AssertionFields
      }
      owners: relationships(type: [OWNS], direction: IN, first: 50) {
        totalCount
        edges {
          ...RelFields
          relationship {
            sources {
              ...AssertionFields
            }
          }
        }
      }
      relationships(first: $first) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          ...RelFields
        }
      }
    }
    ... on BusinessUnit {
      description
    }
    ... on Service {
      description
      tier
      lifecycle
      criticality
    }
    ... on Application {
      description
      service {
        id
        name
      }
      appType: type
      lifecycle
      hostnames
      urls
    }
    ... on Repository {
      description
      host
      url
      defaultBranch
      visibility
      archived
      fork
      language
      topics
      pushedAt
    }
    ... on Team {
      description
      contact
      email
    }
    ... on Person {
      email
      handles
      title
    }
    ... on CloudAccount {
      provider
      registered
      environment
    }
    ... on CloudResource {
      provider
      resourceType: type
      region
      accountId
      hostnames
      createdAt
    }
  }
}
    fragment AssertionFields on Assertion {
  source
  run
  confidence
  evidence
  firstSeen
  lastSeen
  ingestRun {
    id
    status
    started
  }
}
fragment RelFields on RelationshipEdge {
  cursor
  node {
    id
    kind
    key
    name
  }
  relationship {
    id
    type
    direction
    confidence
    evidence
    role
    path
    firstSeen
    lastSeen
    sources {
      source
    }
  }
}`) as unknown as TypedDocumentString<EntityPageQuery, EntityPageQueryVariables>;
export const MoreRelationshipsDocument = new TypedDocumentString(`
    query MoreRelationships($id: ID!, $after: String, $first: Int = 100) {
  node(id: $id) {
    id
    ... on Entity {
      relationships(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          ...RelFields
        }
      }
    }
  }
}
    fragment RelFields on RelationshipEdge {
  cursor
  node {
    id
    kind
    key
    name
  }
  relationship {
    id
    type
    direction
    confidence
    evidence
    role
    path
    firstSeen
    lastSeen
    sources {
      source
    }
  }
}`) as unknown as TypedDocumentString<MoreRelationshipsQuery, MoreRelationshipsQueryVariables>;
export const MergedIntoDocument = new TypedDocumentString(`
    query MergedInto($id: ID!) {
  mergedInto(id: $id) {
    id
    kind
    name
  }
}
    `) as unknown as TypedDocumentString<MergedIntoQuery, MergedIntoQueryVariables>;
export const NeighbourhoodDocument = new TypedDocumentString(`
    query Neighbourhood($id: ID!, $types: [RelType!], $first: Int = 100) {
  node(id: $id) {
    id
    ...GraphNode
    ... on Entity {
      relationships(type: $types, first: $first) {
        totalCount
        edges {
          node {
            ...GraphNode
          }
          relationship {
            id
            type
            confidence
            role
            from {
              id
            }
            to {
              id
            }
          }
        }
      }
    }
  }
}
    fragment GraphNode on Entity {
  id
  kind
  key
  name
  ... on CloudAccount {
    registered
  }
}`) as unknown as TypedDocumentString<NeighbourhoodQuery, NeighbourhoodQueryVariables>;
export const UnownedDocument = new TypedDocumentString(`
    query Unowned($ids: [ID!]!) {
  unowned(ids: $ids)
}
    `) as unknown as TypedDocumentString<UnownedQuery, UnownedQueryVariables>;
export const EntityHistoryDocument = new TypedDocumentString(`
    query EntityHistory($id: ID!, $after: String) {
  node(id: $id) {
    ... on Entity {
      history(first: 20, after: $after) {
        nodes {
          at
          op
          actor
          source
          run
          ingestRun {
            id
            status
            started
          }
          entity {
            kind
            key
          }
          relationship {
            type
            from {
              kind
              key
            }
            to {
              kind
              key
            }
          }
          changes {
            field
            before
            after
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EntityHistoryQuery, EntityHistoryQueryVariables>;
export const IngestRunsDocument = new TypedDocumentString(`
    query IngestRuns($source: String, $status: IngestRunStatus, $first: Int = 20, $after: String) {
  ingestRuns(source: $source, status: $status, first: $first, after: $after) {
    totalCount
    nodes {
      ...RunFields
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  ingestSources {
    name
    type
    source
    problem
    running
    schedule
    nextRunAt
    lastRun {
      id
      status
      ended
    }
  }
}
    fragment RunFields on IngestRun {
  id
  source
  status
  startedBy
  started
  ended
  nodes
  edges
  applied {
    nodesCreated
    nodesUpdated
    edgesCreated
    edgesUpdated
  }
  swept {
    nodesRemoved
    edgesRemoved
    nodesRetracted
    edgesRetracted
  }
  sweepHeld
  keptScopes
  errorCount
  errors {
    item
    error
  }
  warningCount
  error
  shadowFindings
}`) as unknown as TypedDocumentString<IngestRunsQuery, IngestRunsQueryVariables>;
export const IngestRunDocument = new TypedDocumentString(`
    query IngestRun($id: String!) {
  ingestRun(id: $id) {
    ...RunFields
  }
}
    fragment RunFields on IngestRun {
  id
  source
  status
  startedBy
  started
  ended
  nodes
  edges
  applied {
    nodesCreated
    nodesUpdated
    edgesCreated
    edgesUpdated
  }
  swept {
    nodesRemoved
    edgesRemoved
    nodesRetracted
    edgesRetracted
  }
  sweepHeld
  keptScopes
  errorCount
  errors {
    item
    error
  }
  warningCount
  error
  shadowFindings
}`) as unknown as TypedDocumentString<IngestRunQuery, IngestRunQueryVariables>;
export const ShadowTrendDocument = new TypedDocumentString(`
    query ShadowTrend($first: Int = 50) {
  ingestRuns(first: $first) {
    nodes {
      id
      source
      status
      started
      shadowFindings
      summary {
        key
        value
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ShadowTrendQuery, ShadowTrendQueryVariables>;
export const StartIngestDocument = new TypedDocumentString(`
    mutation StartIngest($source: String!) {
  startIngest(source: $source) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<StartIngestMutation, StartIngestMutationVariables>;
export const NotifyTargetsDocument = new TypedDocumentString(`
    query NotifyTargets {
  notifyTargets {
    name
    type
    findings
    changes
  }
  viewer {
    role
  }
}
    `) as unknown as TypedDocumentString<NotifyTargetsQuery, NotifyTargetsQueryVariables>;
export const TestNotifyTargetDocument = new TypedDocumentString(`
    mutation TestNotifyTarget($name: String!) {
  testNotifyTarget(name: $name) {
    target
    delivered
    problem
  }
}
    `) as unknown as TypedDocumentString<TestNotifyTargetMutation, TestNotifyTargetMutationVariables>;
export const SearchDocument = new TypedDocumentString(`
    query Search($text: String!, $first: Int = 20) {
  resolve(ref: $text) {
    id
    kind
    key
    name
  }
  search(text: $text, first: $first) {
    id
    kind
    key
    name
  }
}
    `) as unknown as TypedDocumentString<SearchQuery, SearchQueryVariables>;
export const LookupDocument = new TypedDocumentString(`
    query Lookup($ref: String!) {
  lookup(ref: $ref) {
    resolution
    subject {
      ...ItemFields
    }
    candidates {
      ...ItemFields
    }
  }
}
    fragment ItemFields on AnswerItem {
  kind
  key
  name
  entity {
    id
  }
}`) as unknown as TypedDocumentString<LookupQuery, LookupQueryVariables>;
export const TokensDocument = new TypedDocumentString(`
    query Tokens {
  tokens {
    ...TokenInfo
  }
}
    fragment TokenInfo on Token {
  id
  name
  role
  createdAt
  teams
  cab
}`) as unknown as TypedDocumentString<TokensQuery, TokensQueryVariables>;
export const CreateTokenDocument = new TypedDocumentString(`
    mutation CreateToken($role: Role!, $name: String!, $teams: [String!], $cab: Boolean) {
  createToken(role: $role, name: $name, teams: $teams, cab: $cab) {
    token
    info {
      ...TokenInfo
    }
  }
}
    fragment TokenInfo on Token {
  id
  name
  role
  createdAt
  teams
  cab
}`) as unknown as TypedDocumentString<CreateTokenMutation, CreateTokenMutationVariables>;
export const RevokeTokenDocument = new TypedDocumentString(`
    mutation RevokeToken($id: String!) {
  revokeToken(id: $id) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<RevokeTokenMutation, RevokeTokenMutationVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    name
    role
    anonymous
    person {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const StatsDocument = new TypedDocumentString(`
    query Stats {
  stats {
    entities
    relationships
    kinds {
      kind
      count
    }
    relationshipTypes {
      type
      count
    }
  }
}
    `) as unknown as TypedDocumentString<StatsQuery, StatsQueryVariables>;