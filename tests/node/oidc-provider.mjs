// A real OpenID Connect provider (the npm `oidc-provider` package) for the sign-in tests.
// Usage: node oidc-provider.mjs '<config json>'  with {"clients": [...], "idTokenTtl": 3600}
// It listens on a free port of 127.0.0.1 and prints {"issuer": "http://127.0.0.1:PORT"} once ready.
//
// There is no login page: the interaction signs in the account named by the authorization
// request's `login_hint` and grants consent at once, so tests can drive the whole Authorization
// Code flow with plain HTTP. Accounts are emails; a hint starting with `unverified:` gets
// `email_verified: false`.
import Provider from 'oidc-provider';
import http from 'node:http';

const config = JSON.parse(process.argv[2] ?? '{}');
const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients ?? [],
  pkce: { required: () => true },
  ttl: { IdToken: config.idTokenTtl ?? 3600 },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // Put the email claims into the ID token itself, as Keycloak, Google and Entra ID do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => ({
    accountId: id,
    async claims() {
      const unverified = id.startsWith('unverified:');
      const email = unverified ? id.slice('unverified:'.length) : id;
      return { sub: id, email, email_verified: !unverified };
    },
  }),
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: String(params.login_hint) } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
});

server.on('request', provider.callback());
process.stdout.write(JSON.stringify({ issuer }) + '\n');
