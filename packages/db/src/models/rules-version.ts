import mongoose from 'mongoose';

/** Scoring rules as versioned data. `scope` is `global` or a site id (a per-site override). */
const schema = new mongoose.Schema(
  {
    scope: { type: String, required: true },
    version: { type: Number, required: true },
    status: { type: String, enum: ['draft', 'published', 'archived'], required: true },
    rules: { type: mongoose.Schema.Types.Mixed, required: true },
    note: { type: String, default: '' },
    createdBy: { type: mongoose.Schema.Types.ObjectId, default: null },
    publishedAt: { type: Date, default: null },
    shadow: { type: Boolean, default: false },
  },
  { timestamps: true, minimize: false },
);
schema.index({ scope: 1, version: 1 }, { unique: true });
// At most one published version and one draft per scope: every change runs in a transaction
// under the rules lock (api services/moderation/rules/lifecycle.ts).
schema.index({ scope: 1, status: 1 });

export const rulesVersionModel = (conn: mongoose.Connection) =>
  conn.model('RulesVersion', schema, 'rules_versions');
