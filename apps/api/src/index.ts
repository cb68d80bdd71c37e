import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './router/root.js';

export type { AppRouter } from './router/root.js';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export { appRouter } from './router/root.js';
export { createApiApp, startApiServer, type ApiDeps, type RunningApi } from './app.js';
export { apiConfigSchema, loadApiConfig, readApiConfig, type ApiConfig, type ApiConfigInput } from './config.js';
export { createContextInner, type Context } from './context.js';
export { createCallerFactory } from './trpc.js';
export { createServices, type Services } from './services/index.js';
export { createUser } from './services/accounts.js';
export { createSite } from './services/sites.js';
export { hashPassword } from '@tagward/auth';
export type * from './dto.js';
export type { OverviewDto, TopPagesDto, IntegrationStatusDto } from './services/stats.js';
export type { EventSummaryDto, EventDetailDto, EventPageDto } from './services/events.js';
export type { InstallDto } from './services/install.js';
export { createMailer, type Mailer, type MailMessage } from './mail/mailer.js';
export { renderMail } from './mail/templates.js';
export { setTotpKeyDirectly } from './services/two-factor.js';
