// Typed GraphQL operations, generated from the server's contract
// (../schema.graphqls) and the operations in src/graphql/*.graphql.
// `npm run codegen` writes src/gql/; the output is committed and is the same
// on every run (no timestamps, no network).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.graphqls',
  documents: ['src/graphql/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        onlyOperationTypes: true,
        useTypeImports: true,
        scalars: { Time: 'string', Map: 'Record<string, unknown>' },
        skipTypename: false,
      },
    },
  },
  hooks: {},
};

export default config;
