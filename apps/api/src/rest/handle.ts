import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { invalidRequest, sendRestError, toRestError } from './respond.js';

/**
 * A JSON GET endpoint: the query is validated by `schema` (400 invalid_request with the issues),
 * `run` computes the body, errors become stable codes. Keeps each route one line.
 */
export function jsonEndpoint<S extends z.ZodType>(schema: S, run: (query: z.output<S>, res: Response, req: Request) => Promise<unknown>): RequestHandler {
  return (req, res) => {
    const parsed = schema.safeParse(req.query);
    if (!parsed.success) return sendRestError(res, invalidRequest(parsed.error));
    run(parsed.data, res, req).then(
      (body) => res.json(body),
      (error: unknown) => sendRestError(res, toRestError(error)),
    );
  };
}
