/**
 * Generated from the API's OpenAPI document by scripts/console-client.ts (run by `npm run build`).
 * Do not edit: change the API's declarations and build again.
 */
export interface paths {
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_listCheckpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["AuditController_verification"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CardsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CardsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/activation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["CardsController_activate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/oppositions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OppositionsController_get"];
        put?: never;
        post: operations["OppositionsController_declare"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OppositionsController_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/crls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CrlsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/encoders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["EncodersController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/encoders/{id}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["EncodersController_reset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RppsController_imports"];
        put?: never;
        post: operations["RppsController_enqueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RppsController_getImport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/{id}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RppsController_confirmImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/{id}/rejects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RppsController_importRejects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["JobsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["JobsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["MailingController_batches"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/batches/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["MailingController_batch"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/batches/{id}/printed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["MailingController_printed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["MailingController_letter"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/letters/{id}/reprint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["MailingController_reprint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/letters/{id}/returned": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["MailingController_returned"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/reprints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["MailingController_reprints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/reprints/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["MailingController_approve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mailing/reprints/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["MailingController_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OrdersController_list"];
        put?: never;
        post: operations["OrdersController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["OrdersController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrdersController_approve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrdersController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrdersController_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orders/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["OrdersController_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/professionals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RppsController_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/professionals/{nationalId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ProfessionalsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/registry/migrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["RppsController_listMigrations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/registry/migrations/{id}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RppsController_confirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/registry/migrations/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["RppsController_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ProfessionalsController_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["SessionController_current"];
        put?: never;
        post: operations["SessionController_signIn"];
        delete: operations["SessionController_signOut"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["SessionController_setPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** PostgreSQL and Redis answer (503 not_ready naming the one that does not) */
        get: operations["HealthController_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process answers (no dependency checked): for a liveness probe */
        get: operations["HealthController_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** PostgreSQL, Redis and a full CRL on hand: for a readiness probe (503 not_ready naming what fails) */
        get: operations["HealthController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/opposition/crl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CrlController_crl"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/opposition/delta-crl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CrlController_deltaCrl"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/opposition/issuer.crt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CrlController_issuer"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ActivatedCard_Output: {
            cardNumber: string;
            /** @enum {string} */
            cardType: "CPS" | "CPF" | "CPE" | "CPA";
            /** @description the serial of its chip, null for a card brought in by cards:import */
            chipSerial: string | null;
            /** Format: date-time */
            createdAt: string;
            firstName: string;
            /** @description CPS3 or CPS4 */
            generation: string | null;
            lastName: string;
            nationalId: string;
            nationalIdInCard: string;
            /** Format: date-time */
            opposedAt: string | null;
            /** @description why it was opposed (null for a card the old base handed over opposed) */
            oppositionReason: string | null;
            /** Format: uuid */
            orderId: string | null;
            professionCode: string;
            /** @description the label of the profession (TRE_G15), null for an unlisted code */
            professionLabel: string | null;
            /** @description the card it replaces, opposed now (reason replacement); null when it replaces none or that one was opposed already */
            replaced: string | null;
            /** @description the card it replaces */
            replacesCard: string | null;
            /** @enum {string} */
            source: "order" | "import";
            /** @enum {string} */
            state: "personalized" | "sent" | "active" | "opposed";
            /** Format: date-time */
            updatedAt: string;
            /** Format: date */
            validFrom: string;
            /** Format: date */
            validUntil: string;
        };
        AuditCheckpointsAnswer_Output: {
            /** @description oldest first */
            checkpoints: {
                /** @description the hash of the chain’s last entry at that length */
                head: string;
                id: string;
                /** @description SHA-256 (hex) of the signing key’s SubjectPublicKeyInfo */
                keyId: string;
                /** @description base64 */
                signature: string;
                /** Format: date-time */
                signedAt: string;
                /** @description the length of the chain it signs */
                size: number;
            }[];
            /** @description the public keys the checkpoints were signed with */
            keys: {
                algorithm: string;
                /** Format: date-time */
                firstUsedAt: string;
                keyId: string;
                /** @description PEM */
                publicKey: string;
            }[];
            latest: {
                /** @description the hash of the chain’s last entry at that length */
                head: string;
                id: string;
                /** @description SHA-256 (hex) of the signing key’s SubjectPublicKeyInfo */
                keyId: string;
                /** @description base64 */
                signature: string;
                /** Format: date-time */
                signedAt: string;
                /** @description the length of the chain it signs */
                size: number;
            } | null;
        };
        AuditTrailPage_Output: {
            /** @description the chain as stored (not recomputed here: audit:verify does) */
            chain: {
                /** @description the hash of its last entry */
                head: string | null;
                /** @description entries waiting to be linked */
                queued: number;
                /** @description entries linked into the chain */
                size: number;
            };
            /** @description the latest signed checkpoint (of the longest chain) */
            checkpoint: {
                /** @description the hash of the chain’s last entry at that length */
                head: string;
                id: string;
                /** @description SHA-256 (hex) of the signing key’s SubjectPublicKeyInfo */
                keyId: string;
                /** @description base64 */
                signature: string;
                /** Format: date-time */
                signedAt: string;
                /** @description the length of the chain it signs */
                size: number;
            } | null;
            /** @description oldest first */
            entries: {
                /** @description what was done, e.g. order.approve */
                action: string;
                actor: string;
                /** Format: date-time */
                at: string;
                /** @description what the entry recorded */
                details: {
                    [key: string]: unknown;
                };
                /** @description what it is about (one of the entity names GET /api/v1/audit?entity= takes) */
                entity: string;
                entityId: string;
                /** @description its hash in the chain */
                hash: string | null;
                id: string;
                /** @description the hash of the entry before it in the chain */
                prevHash: string | null;
                /** @description the HTTP request (X-Request-Id) it was written for, by the API or a job that request caused; null for schedules and the CLI (not in the chained content) */
                requestId: string | null;
                /** @description its place in the chain, null while it is queued */
                seq: number | null;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        AuditVerificationAnswer_Output: {
            /**
             * Format: date-time
             * @description when this check was made: the API keeps its answer 60 seconds
             */
            checkedAt: string;
            checkpoints: {
                /** @description checkpoints whose signature holds and that were held against the chain */
                checked: number;
                contradicted: number;
                /** @description the checkpoints file outside the database (its name) */
                file: string;
                inFile: number;
                inTable: number;
                latest: {
                    head: string;
                    signedAt: string;
                    size: number;
                } | null;
            };
            /** @description the first checkpoint the trail contradicts */
            contradicts: {
                signedAt: string;
                size: number;
            } | null;
            /** @description entries of the trail: chained and queued */
            entries: number;
            /** @description the first entry whose stored link does not hold */
            firstBadEntry: string | null;
            /** @description queued entries older than the sequencing delay */
            late: number;
            /** @description true when the chain recomputes and every signed checkpoint holds */
            ok: boolean;
            /** @description what does not hold, first found first */
            problems: {
                contradicts: {
                    signedAt: string;
                    size: number;
                } | null;
                entry?: string;
                kind: string;
                message: string;
                position?: number;
            }[];
            queued: number;
            sequenced: number;
        };
        BatchDetail_Output: {
            /**
             * Format: date
             * @description the batch's day (Paris)
             */
            asOf: string;
            /** @description its letters by state now */
            counts: {
                batched: number;
                printed: number;
                returned: number;
            };
            /** Format: date-time */
            createdAt: string;
            createdBy: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            jobRunId: string | null;
            /** @enum {string} */
            kind: "card-letter" | "pin-letter";
            /** @description one page of its letters, in their sequence (page, pageSize) */
            letterPage: {
                items: {
                    /** Format: uuid */
                    batchId: string | null;
                    batchNumber: number | null;
                    cardNumber: string;
                    /** Format: date-time */
                    createdAt: string;
                    /** @description why the letter is held (its address cannot be laid out, its card opposed, a letter of its card returned...) */
                    heldReason: string | null;
                    /** Format: uuid */
                    id: string;
                    /** @enum {string} */
                    kind: "card-letter" | "pin-letter";
                    /** Format: uuid */
                    orderId: string;
                    /** Format: date-time */
                    printedAt: string | null;
                    /**
                     * Format: uuid
                     * @description the letter of the codes this one prints again
                     */
                    reprintOf: string | null;
                    /** Format: date-time */
                    returnedAt: string | null;
                    /** @description its place in its batch */
                    sequence: number | null;
                    /** @enum {string} */
                    state: "held" | "waiting" | "batched" | "printed" | "returned";
                }[];
                /** @description 1-based */
                page: number;
                pageSize: number;
                /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
                total: number;
                /** @description true when more match than were counted: total is then a lower bound */
                totalIsLowerBound: boolean;
            };
            /** @description how many letters it was assembled with */
            letters: number;
            /** @description the number the mail room knows it by (its barcodes, its file names) */
            number: number;
            pages: number | null;
            /** Format: date-time */
            printedAt: string | null;
            /** @description who recorded it printed */
            printedBy: string | null;
            /** Format: date-time */
            renderedAt: string | null;
            /** @enum {string} */
            state: "rendering" | "ready" | "printed";
        };
        BatchesPage_Output: {
            items: {
                /**
                 * Format: date
                 * @description the batch's day (Paris)
                 */
                asOf: string;
                /** Format: date-time */
                createdAt: string;
                createdBy: string;
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                jobRunId: string | null;
                /** @enum {string} */
                kind: "card-letter" | "pin-letter";
                /** @description how many letters it was assembled with */
                letters: number;
                /** @description the number the mail room knows it by (its barcodes, its file names) */
                number: number;
                pages: number | null;
                /** Format: date-time */
                printedAt: string | null;
                /** @description who recorded it printed */
                printedBy: string | null;
                /** Format: date-time */
                renderedAt: string | null;
                /** @enum {string} */
                state: "rendering" | "ready" | "printed";
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        CardDetail_Output: {
            cardNumber: string;
            /** @enum {string} */
            cardType: "CPS" | "CPF" | "CPE" | "CPA";
            /** @description the serial of its chip, null for a card brought in by cards:import */
            chipSerial: string | null;
            /** Format: date-time */
            createdAt: string;
            firstName: string;
            /** @description CPS3 or CPS4 */
            generation: string | null;
            lastName: string;
            /** @description the card's card letter and letter of the codes (and reprints), oldest first */
            letters: {
                /** Format: uuid */
                batchId: string | null;
                batchNumber: number | null;
                cardNumber: string;
                /** Format: date-time */
                createdAt: string;
                /** @description why the letter is held (its address cannot be laid out, its card opposed, a letter of its card returned...) */
                heldReason: string | null;
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                kind: "card-letter" | "pin-letter";
                /** Format: uuid */
                orderId: string;
                /** Format: date-time */
                printedAt: string | null;
                /**
                 * Format: uuid
                 * @description the letter of the codes this one prints again
                 */
                reprintOf: string | null;
                /** Format: date-time */
                returnedAt: string | null;
                /** @description its place in its batch */
                sequence: number | null;
                /** @enum {string} */
                state: "held" | "waiting" | "batched" | "printed" | "returned";
            }[];
            nationalId: string;
            nationalIdInCard: string;
            /** Format: date-time */
            opposedAt: string | null;
            /** @description why it was opposed (null for a card the old base handed over opposed) */
            oppositionReason: string | null;
            /** Format: uuid */
            orderId: string | null;
            professionCode: string;
            /** @description the label of the profession (TRE_G15), null for an unlisted code */
            professionLabel: string | null;
            /** @description the card it replaces */
            replacesCard: string | null;
            /** @enum {string} */
            source: "order" | "import";
            /** @enum {string} */
            state: "personalized" | "sent" | "active" | "opposed";
            /** @description ordered, approved, personalized (or imported), sent, active, opposed: oldest first */
            timeline: {
                /** Format: date-time */
                at: string;
                /** @description who or what made the step, when the record says */
                by: string | null;
                /** @description why, when the record says (opposition, rejection, cancellation, failure, closing) */
                reason: string | null;
                /** @enum {string} */
                step: "ordered" | "approved" | "imported" | "personalized" | "sent" | "active" | "opposed";
            }[];
            /** Format: date-time */
            updatedAt: string;
            /** Format: date */
            validFrom: string;
            /** Format: date */
            validUntil: string;
        };
        CardsPage_Output: {
            items: {
                cardNumber: string;
                /** @enum {string} */
                cardType: "CPS" | "CPF" | "CPE" | "CPA";
                /** @description the serial of its chip, null for a card brought in by cards:import */
                chipSerial: string | null;
                /** Format: date-time */
                createdAt: string;
                firstName: string;
                /** @description CPS3 or CPS4 */
                generation: string | null;
                lastName: string;
                nationalId: string;
                nationalIdInCard: string;
                /** Format: date-time */
                opposedAt: string | null;
                /** @description why it was opposed (null for a card the old base handed over opposed) */
                oppositionReason: string | null;
                /** Format: uuid */
                orderId: string | null;
                professionCode: string;
                /** @description the label of the profession (TRE_G15), null for an unlisted code */
                professionLabel: string | null;
                /** @description the card it replaces */
                replacesCard: string | null;
                /** @enum {string} */
                source: "order" | "import";
                /** @enum {string} */
                state: "personalized" | "sent" | "active" | "opposed";
                /** Format: date-time */
                updatedAt: string;
                /** Format: date */
                validFrom: string;
                /** Format: date */
                validUntil: string;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        CardStatusAnswer_Output: {
            cardNumber: string;
            /**
             * Format: date-time
             * @description opposed: since when (a card past its end of validity: the end of its last day, Paris time)
             */
            opposedAt?: string | null;
            /** @description opposed: why (null for a card the old base handed over opposed) */
            reason?: string | null;
            /** @enum {string} */
            status: "valid" | "opposed" | "unknown";
        };
        CreateOrderBody: {
            /** @enum {string} */
            cardType: "CPS" | "CPF" | "CPE" | "CPA";
            nationalId: string;
            professionCode: string;
            /** @enum {string} */
            reason: "first-issue" | "renewal" | "content-change" | "replacement" | "manual";
            replacesCard?: string;
        };
        CrlsAnswer_Output: {
            /** @description the latest 20 publications, full and delta, newest first */
            history: {
                /** @description a delta: the full CRL it adds to */
                baseCrlNumber: number | null;
                bytes: number;
                crlNumber: number;
                /** @description the oppositions it lists */
                entries: number;
                /** @enum {string} */
                kind: "full" | "delta";
                /**
                 * Format: date-time
                 * @description when the next one is due at the latest
                 */
                nextUpdate: string;
                /** Format: date-time */
                publishedAt: string;
                publishedBy: string;
                /** @description of its DER bytes, hex */
                sha256: string;
                /** Format: date-time */
                thisUpdate: string;
            }[];
            /** @description the full CRL served now (GET /opposition/crl); null before the first is published */
            latest: {
                bytes: number;
                crlNumber: number;
                /** @description the delta CRL served with it (based on it), when there is one */
                deltaCrlNumber?: number;
                /** @description the oppositions that delta adds */
                deltaEntries?: number;
                /** @description the oppositions it lists */
                entries: number;
                /**
                 * Format: date-time
                 * @description when the next one is due at the latest
                 */
                nextUpdate: string;
                /** Format: date-time */
                publishedAt: string;
                /** @description of its DER bytes, hex */
                sha256: string;
                /** Format: date-time */
                thisUpdate: string;
            } | null;
            /** @description where relying parties download them (no token): DER, and the issuer’s certificate in PEM */
            links: {
                /** @enum {string} */
                crl: "/opposition/crl";
                /** @enum {string} */
                deltaCrl: "/opposition/delta-crl";
                /** @enum {string} */
                issuerCertificate: "/opposition/issuer.crt";
            };
        };
        DeclaredOpposition_Output: {
            cardNumber: string;
            /**
             * @description how it reached them
             * @enum {string}
             */
            channel: "phone" | "form" | "portal" | "registry" | "system" | "import" | "returned-mail";
            /** @description the declarer’s comment */
            comment: string | null;
            /** @description false: the card was opposed before, and this is its opposition (nothing recorded now) */
            created: boolean;
            declaredBy: string;
            id: string;
            /**
             * Format: date-time
             * @description loss or theft: since when the card may have been misused
             */
            invalidityDate: string | null;
            /** Format: date-time */
            opposedAt: string;
            /**
             * @description null only for a card the old base handed over opposed, without its reason
             * @enum {string|null}
             */
            reason: "expiry" | "loss" | "theft" | "malfunction" | "non-receipt" | "cessation" | "replacement" | null;
            /**
             * Format: uuid
             * @description the order of its replacement card, when one was made
             */
            replacementOrderId: string | null;
            /**
             * @description who recorded it
             * @enum {string}
             */
            source: "helpdesk" | "operator" | "registry" | "system" | "import";
            /** @description what was checked of the caller’s identity (a declaration) */
            verification: string | null;
        };
        DeclareOppositionBody: {
            /** @enum {string} */
            channel: "phone" | "form" | "portal" | "registry";
            comment?: string;
            invalidityDate?: string;
            reason: string;
            verification: string;
        };
        EncodersPage_Output: {
            items: {
                cardsDone: number;
                cardsFailed: number;
                /** @description failures in a row (error past ENCODER_MAX_CONSECUTIVE_FAILURES) */
                consecutiveFailures: number;
                /** @enum {string} */
                driver: "pcsc" | "simulated";
                /** Format: date-time */
                heartbeatAt: string;
                host: string;
                /** @description `<host>/<reader>` */
                id: string;
                /** @description why its last card failed */
                lastError: string | null;
                /** Format: date-time */
                lastErrorAt: string | null;
                /**
                 * Format: uuid
                 * @description the order being written
                 */
                orderId: string | null;
                /** @description `<host>:<pid>` of the worker process that runs it; null once it stopped cleanly */
                processId: string | null;
                /** @description the PC/SC reader name (or the simulated reader’s) */
                reader: string;
                /** Format: date-time */
                resetAt: string | null;
                /** @description who last reset it */
                resetBy: string | null;
                /** Format: date-time */
                startedAt: string;
                /**
                 * @description offline when its process stopped or has not beaten for 3 heartbeats; error waits for an operator’s reset
                 * @enum {string}
                 */
                state: "idle" | "waiting-card" | "writing" | "error" | "offline";
                /**
                 * @description offline: what it was doing when it stopped (null: it stopped cleanly)
                 * @enum {string|null}
                 */
                stoppedIn: "idle" | "waiting-card" | "writing" | "error" | "offline" | null;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        EncoderStationAnswer_Output: {
            cardsDone: number;
            cardsFailed: number;
            /** @description failures in a row (error past ENCODER_MAX_CONSECUTIVE_FAILURES) */
            consecutiveFailures: number;
            /** @enum {string} */
            driver: "pcsc" | "simulated";
            /** Format: date-time */
            heartbeatAt: string;
            host: string;
            /** @description `<host>/<reader>` */
            id: string;
            /** @description why its last card failed */
            lastError: string | null;
            /** Format: date-time */
            lastErrorAt: string | null;
            /**
             * Format: uuid
             * @description the order being written
             */
            orderId: string | null;
            /** @description `<host>:<pid>` of the worker process that runs it; null once it stopped cleanly */
            processId: string | null;
            /** @description the PC/SC reader name (or the simulated reader’s) */
            reader: string;
            /** Format: date-time */
            resetAt: string | null;
            /** @description who last reset it */
            resetBy: string | null;
            /** Format: date-time */
            startedAt: string;
            /**
             * @description offline when its process stopped or has not beaten for 3 heartbeats; error waits for an operator’s reset
             * @enum {string}
             */
            state: "idle" | "waiting-card" | "writing" | "error" | "offline";
            /**
             * @description offline: what it was doing when it stopped (null: it stopped cleanly)
             * @enum {string|null}
             */
            stoppedIn: "idle" | "waiting-card" | "writing" | "error" | "offline" | null;
        };
        EnqueueImportBody: {
            asOf?: string;
            files: string[];
        };
        ImportConfirmed_Output: {
            /** Format: date-time */
            confirmedAt: string;
            confirmedBy: string;
            /** Format: uuid */
            importId: string;
            /**
             * Format: uuid
             * @description the job that applies it (GET /api/v1/jobs/:id)
             */
            jobRunId: string;
            /** @description a held import: what applying it would do */
            preview: {
                /** @description professionals it would add */
                added: number;
                /** @description professionals it would cease */
                ceased: number;
                /** @description professionals on both sides with a change */
                changed: number;
                /** @description the registry events, by kind */
                events: {
                    CEASED: number;
                    IDENTIFIER_MIGRATED: number;
                    IDENTITY_CHANGED: number;
                    NEW_PROFESSIONAL: number;
                    PROFESSION_ADDED: number;
                    PROFESSION_REMOVED: number;
                    SITUATION_CHANGED: number;
                };
                professionalsBefore: number;
                /** @description the first changes, ceased professionals first (at most 20) */
                sample: {
                    /** @enum {string} */
                    kind: "NEW_PROFESSIONAL" | "PROFESSION_ADDED" | "PROFESSION_REMOVED" | "IDENTITY_CHANGED" | "SITUATION_CHANGED" | "IDENTIFIER_MIGRATED" | "CEASED";
                    nationalId: string;
                    professionCode?: string;
                    /** @description the label of the profession (TRE_G15), null for an unlisted code */
                    professionLabel?: string | null;
                }[];
            } | null;
            /** @enum {string} */
            state: "queued";
            /**
             * @description until the job has applied it
             * @enum {string}
             */
            status: "held";
        };
        ImportDetail_Output: {
            actor: string;
            /**
             * Format: date
             * @description the day of the extract
             */
            asOf: string | null;
            /**
             * Format: uuid
             * @description the job applying it once confirmed
             */
            confirmationJobRunId: string | null;
            /** Format: date-time */
            confirmedAt: string | null;
            /** @description the principal that confirmed it (a held import) */
            confirmedBy: string | null;
            /**
             * Format: uuid
             * @description on the import that applies a held one: the held import
             */
            confirmsImportId: string | null;
            /** @description why it failed, or why it is held */
            error: string | null;
            /** @description the registry events it emitted (a held import: would emit), by kind */
            events: {
                CEASED: number;
                IDENTIFIER_MIGRATED: number;
                IDENTITY_CHANGED: number;
                NEW_PROFESSIONAL: number;
                PROFESSION_ADDED: number;
                PROFESSION_REMOVED: number;
                SITUATION_CHANGED: number;
            } | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** Format: uuid */
            importId: string;
            /** @description the layout of its Personne_activite file (personne-activite-52 or -56) */
            layout: string | null;
            /** @description a held import: what applying it would do */
            preview: {
                /** @description professionals it would add */
                added: number;
                /** @description professionals it would cease */
                ceased: number;
                /** @description professionals on both sides with a change */
                changed: number;
                /** @description the registry events, by kind */
                events: {
                    CEASED: number;
                    IDENTIFIER_MIGRATED: number;
                    IDENTITY_CHANGED: number;
                    NEW_PROFESSIONAL: number;
                    PROFESSION_ADDED: number;
                    PROFESSION_REMOVED: number;
                    SITUATION_CHANGED: number;
                };
                professionalsBefore: number;
                /** @description the first changes, ceased professionals first (at most 20) */
                sample: {
                    /** @enum {string} */
                    kind: "NEW_PROFESSIONAL" | "PROFESSION_ADDED" | "PROFESSION_REMOVED" | "IDENTITY_CHANGED" | "SITUATION_CHANGED" | "IDENTIFIER_MIGRATED" | "CEASED";
                    nationalId: string;
                    professionCode?: string;
                    /** @description the label of the profession (TRE_G15), null for an unlisted code */
                    professionLabel?: string | null;
                }[];
            } | null;
            /** @description and after it */
            professionalsAfter: number | null;
            /** @description professionals in practice before it */
            professionalsBefore: number | null;
            rowsAccepted: number;
            rowsRead: number;
            /** @description GET /api/v1/imports/:id/rejects lists them */
            rowsRejected: number;
            /** Format: date-time */
            startedAt: string;
            /**
             * @description baseline: the first, into an empty registry; held: waits for an operator’s confirmation (see preview)
             * @enum {string}
             */
            status: "running" | "baseline" | "applied" | "unchanged" | "held" | "failed";
            /** @description the principal that submitted it over the API (it may not confirm it); null: run at the host */
            submittedBy: string | null;
        };
        ImportQueued_Output: {
            /**
             * Format: uuid
             * @description GET /api/v1/jobs/:id follows it
             */
            jobRunId: string;
            /** @enum {string} */
            state: "queued";
        };
        ImportRejectsPage_Output: {
            items: {
                /** @description the file it was read from */
                file: string;
                /** @description its line number in that file (the header is line 1) */
                line: number;
                /** @description why it was rejected */
                reason: string;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        ImportsPage_Output: {
            items: {
                actor: string;
                /**
                 * Format: date
                 * @description the day of the extract
                 */
                asOf: string | null;
                /**
                 * Format: uuid
                 * @description the job applying it once confirmed
                 */
                confirmationJobRunId: string | null;
                /** Format: date-time */
                confirmedAt: string | null;
                /** @description the principal that confirmed it (a held import) */
                confirmedBy: string | null;
                /**
                 * Format: uuid
                 * @description on the import that applies a held one: the held import
                 */
                confirmsImportId: string | null;
                /** @description why it failed, or why it is held */
                error: string | null;
                /** @description the registry events it emitted (a held import: would emit), by kind */
                events: {
                    CEASED: number;
                    IDENTIFIER_MIGRATED: number;
                    IDENTITY_CHANGED: number;
                    NEW_PROFESSIONAL: number;
                    PROFESSION_ADDED: number;
                    PROFESSION_REMOVED: number;
                    SITUATION_CHANGED: number;
                } | null;
                /** Format: date-time */
                finishedAt: string | null;
                /** Format: uuid */
                importId: string;
                /** @description the layout of its Personne_activite file (personne-activite-52 or -56) */
                layout: string | null;
                /** @description a held import: what applying it would do */
                preview: {
                    /** @description professionals it would add */
                    added: number;
                    /** @description professionals it would cease */
                    ceased: number;
                    /** @description professionals on both sides with a change */
                    changed: number;
                    /** @description the registry events, by kind */
                    events: {
                        CEASED: number;
                        IDENTIFIER_MIGRATED: number;
                        IDENTITY_CHANGED: number;
                        NEW_PROFESSIONAL: number;
                        PROFESSION_ADDED: number;
                        PROFESSION_REMOVED: number;
                        SITUATION_CHANGED: number;
                    };
                    professionalsBefore: number;
                    /** @description the first changes, ceased professionals first (at most 20) */
                    sample: {
                        /** @enum {string} */
                        kind: "NEW_PROFESSIONAL" | "PROFESSION_ADDED" | "PROFESSION_REMOVED" | "IDENTITY_CHANGED" | "SITUATION_CHANGED" | "IDENTIFIER_MIGRATED" | "CEASED";
                        nationalId: string;
                        professionCode?: string;
                        /** @description the label of the profession (TRE_G15), null for an unlisted code */
                        professionLabel?: string | null;
                    }[];
                } | null;
                /** @description and after it */
                professionalsAfter: number | null;
                /** @description professionals in practice before it */
                professionalsBefore: number | null;
                rowsAccepted: number;
                rowsRead: number;
                /** @description GET /api/v1/imports/:id/rejects lists them */
                rowsRejected: number;
                /** Format: date-time */
                startedAt: string;
                /**
                 * @description baseline: the first, into an empty registry; held: waits for an operator’s confirmation (see preview)
                 * @enum {string}
                 */
                status: "running" | "baseline" | "applied" | "unchanged" | "held" | "failed";
                /** @description the principal that submitted it over the API (it may not confirm it); null: run at the host */
                submittedBy: string | null;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        JobRunDetail_Output: {
            /** @description who started it */
            actor: string;
            /** Format: date-time */
            createdAt: string;
            /** @description why it failed */
            error: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "rpps-import" | "renewals" | "expiry" | "mailing-batch" | "codes-sweep" | "retention";
            /** @description what it was asked to do (files by their names only) */
            params: {
                [key: string]: unknown;
            };
            /** @description progress / total, in percent (one decimal), when the total is known */
            percent: number | null;
            /** @description what it is doing now, when it says */
            phase: string | null;
            /** @description rows, cards or letters done so far */
            progress: number;
            /** @description what it did, as its command answers it; for a held run, what it waits for */
            result: {
                [key: string]: unknown;
            } | null;
            /** Format: date-time */
            startedAt: string | null;
            /**
             * @description queued, running, succeeded, failed (see error) or held for a person’s decision (see result)
             * @enum {string}
             */
            state: "queued" | "running" | "succeeded" | "failed" | "held";
            /** @description how many there are to do, when known */
            total: number | null;
            /** Format: date-time */
            updatedAt: string;
        };
        JobsPage_Output: {
            /** @description outbox messages whose delivery failed, newest first (at most 100) */
            failedMessages: {
                /** Format: date-time */
                createdAt: string;
                /** @description how many times it was relayed */
                deliveries: number;
                /** @description its last delivery’s error */
                error: string;
                /** Format: date-time */
                failedAt: string | null;
                /** @description the outbox message */
                id: string;
                /** Format: date-time */
                lastRelayedAt: string | null;
                /** @description ids only */
                payload: {
                    [key: string]: unknown;
                };
                /** @description the queue its topic goes to */
                queue: string;
                /**
                 * @description retrying: relayed again after OUTBOX_REDELIVERY_SECONDS; failed: refused for good
                 * @enum {string}
                 */
                state: "retrying" | "failed";
                topic: string;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            queues: {
                /** @description the queue's jobs by state */
                crl: {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
                /** @description the queue's jobs by state */
                mailing: {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
                /** @description the queue's jobs by state */
                maintenance: {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
                /** @description the queue's jobs by state */
                opposition: {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
                /** @description the queue's jobs by state */
                "registry-events": {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
                /** @description the queue's jobs by state */
                renewals: {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
                /** @description the queue's jobs by state */
                "rpps-import": {
                    active: number;
                    completed: number;
                    delayed: number;
                    failed: number;
                    waiting: number;
                };
            };
            /** @description latest first */
            runs: {
                /** @description who started it */
                actor: string;
                /** Format: date-time */
                createdAt: string;
                /** @description why it failed */
                error: string | null;
                /** Format: date-time */
                finishedAt: string | null;
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                kind: "rpps-import" | "renewals" | "expiry" | "mailing-batch" | "codes-sweep" | "retention";
                /** @description what it was asked to do (files by their names only) */
                params: {
                    [key: string]: unknown;
                };
                /** @description progress / total, in percent (one decimal), when the total is known */
                percent: number | null;
                /** @description what it is doing now, when it says */
                phase: string | null;
                /** @description rows, cards or letters done so far */
                progress: number;
                /** @description what it did, as its command answers it; for a held run, what it waits for */
                result: {
                    [key: string]: unknown;
                } | null;
                /** Format: date-time */
                startedAt: string | null;
                /**
                 * @description queued, running, succeeded, failed (see error) or held for a person’s decision (see result)
                 * @enum {string}
                 */
                state: "queued" | "running" | "succeeded" | "failed" | "held";
                /** @description how many there are to do, when known */
                total: number | null;
                /** Format: date-time */
                updatedAt: string;
            }[];
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        LetterByBarcode_Output: {
            /** @description its barcode's text, B<batch number>-<sequence> */
            barcode: string;
            /** Format: uuid */
            batchId: string | null;
            batchNumber: number | null;
            /** @description the last 4 digits of its card's number (what a letter of the codes prints of it) */
            cardLast4: string;
            cardNumber: string;
            /** Format: date-time */
            createdAt: string;
            /** @description why the letter is held (its address cannot be laid out, its card opposed, a letter of its card returned...) */
            heldReason: string | null;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "card-letter" | "pin-letter";
            /** Format: uuid */
            orderId: string;
            /** Format: date-time */
            printedAt: string | null;
            /**
             * Format: uuid
             * @description the letter of the codes this one prints again
             */
            reprintOf: string | null;
            /** Format: date-time */
            returnedAt: string | null;
            /** @description its place in its batch */
            sequence: number | null;
            /** @enum {string} */
            state: "held" | "waiting" | "batched" | "printed" | "returned";
        };
        MigrationDecided_Output: {
            adeliNationalId: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            decidedAt: string | null;
            /** @description who confirmed or rejected it */
            decidedBy: string | null;
            /** @description their first name */
            firstName: string | null;
            id: string;
            /**
             * Format: uuid
             * @description the import that found it
             */
            importId: string;
            /** @description the RPPS professional’s name of practice */
            lastName: string | null;
            rppsNationalId: string;
            /**
             * @description correspondence: from the file, applied; candidate: an operator decides
             * @enum {string}
             */
            source: "correspondence" | "candidate";
            /** @enum {string} */
            status: "pending" | "confirmed" | "rejected" | "applied";
        };
        MigrationsPage_Output: {
            items: {
                adeliNationalId: string;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                decidedAt: string | null;
                /** @description who confirmed or rejected it */
                decidedBy: string | null;
                /** @description their first name */
                firstName: string | null;
                id: string;
                /**
                 * Format: uuid
                 * @description the import that found it
                 */
                importId: string;
                /** @description the RPPS professional’s name of practice */
                lastName: string | null;
                rppsNationalId: string;
                /**
                 * @description correspondence: from the file, applied; candidate: an operator decides
                 * @enum {string}
                 */
                source: "correspondence" | "candidate";
                /** @enum {string} */
                status: "pending" | "confirmed" | "rejected" | "applied";
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        OppositionAnswer_Output: {
            cardNumber: string;
            /**
             * @description how it reached them
             * @enum {string}
             */
            channel: "phone" | "form" | "portal" | "registry" | "system" | "import" | "returned-mail";
            /** @description the declarer’s comment */
            comment: string | null;
            declaredBy: string;
            id: string;
            /**
             * Format: date-time
             * @description loss or theft: since when the card may have been misused
             */
            invalidityDate: string | null;
            /** Format: date-time */
            opposedAt: string;
            /**
             * @description null only for a card the old base handed over opposed, without its reason
             * @enum {string|null}
             */
            reason: "expiry" | "loss" | "theft" | "malfunction" | "non-receipt" | "cessation" | "replacement" | null;
            /**
             * Format: uuid
             * @description the order of its replacement card, when one was made
             */
            replacementOrderId: string | null;
            /**
             * @description who recorded it
             * @enum {string}
             */
            source: "helpdesk" | "operator" | "registry" | "system" | "import";
            /** @description what was checked of the caller’s identity (a declaration) */
            verification: string | null;
        };
        OrderAnswer_Output: {
            /** Format: date-time */
            approvedAt: string | null;
            /** @description who approved it (policy for an order approved by policy) */
            approvedBy: string | null;
            /** Format: uuid */
            approvedByPrincipal: string | null;
            /** @enum {string} */
            cardType: "CPS" | "CPF" | "CPE" | "CPA";
            /** @description the card content frozen at approval (as the registry said then), null before */
            content: {
                categoryCode: string;
                civilityCode: string;
                civilityPracticeCode: string;
                firstName: string;
                lastName: string;
                nationalId: string;
                professionCode: string;
                /** @description up to 8 practice situations of that profession */
                situations: {
                    city: string;
                    finessSite: string;
                    modeCode: string;
                    postalCode: string;
                    sectorCode: string;
                    siret: string;
                    siteName: string;
                    streetLabel: string;
                    streetNumber: string;
                    streetTypeLabel: string;
                    structureId: string;
                }[];
                specialtyCode: string;
                specialtyTypeCode: string;
            } | null;
            /** @description CPS3 or CPS4, once approved */
            generation: string | null;
            /** Format: uuid */
            id: string;
            nationalId: string;
            /** @description cards claimed for it at personalization (it fails past PERSONALIZATION_MAX_ATTEMPTS; a retry starts again from 0) */
            personalizationAttempts: number;
            professionCode: string;
            /** @description the label of the profession (TRE_G15), null for an unlisted code */
            professionLabel: string | null;
            /** @enum {string} */
            reason: "first-issue" | "renewal" | "content-change" | "replacement" | "manual";
            /** @description the card it replaces */
            replacesCard: string | null;
            /** Format: date-time */
            requestedAt: string;
            requestedBy: string;
            /**
             * Format: uuid
             * @description who asked for it (null: by policy): another person approves
             */
            requestedByPrincipal: string | null;
            /** @enum {string} */
            status: "requested" | "approved" | "personalizing" | "personalized" | "card-letter-sent" | "pin-letter-sent" | "closed" | "rejected" | "cancelled" | "failed";
            /** @description why it is in its state, when a step said */
            statusReason: string | null;
            /** Format: date-time */
            updatedAt: string;
        };
        OrderDetail_Output: {
            /** Format: date-time */
            approvedAt: string | null;
            /** @description who approved it (policy for an order approved by policy) */
            approvedBy: string | null;
            /** Format: uuid */
            approvedByPrincipal: string | null;
            /** @description the card personalized for it, null before */
            cardNumber: string | null;
            /** @enum {string} */
            cardType: "CPS" | "CPF" | "CPE" | "CPA";
            /** @description the card content frozen at approval (as the registry said then), null before */
            content: {
                categoryCode: string;
                civilityCode: string;
                civilityPracticeCode: string;
                firstName: string;
                lastName: string;
                nationalId: string;
                professionCode: string;
                /** @description up to 8 practice situations of that profession */
                situations: {
                    city: string;
                    finessSite: string;
                    modeCode: string;
                    postalCode: string;
                    sectorCode: string;
                    siret: string;
                    siteName: string;
                    streetLabel: string;
                    streetNumber: string;
                    streetTypeLabel: string;
                    structureId: string;
                }[];
                specialtyCode: string;
                specialtyTypeCode: string;
            } | null;
            /** @description CPS3 or CPS4, once approved */
            generation: string | null;
            /** Format: uuid */
            id: string;
            /** @description its card's letters, oldest first */
            letters: {
                /** Format: uuid */
                batchId: string | null;
                batchNumber: number | null;
                cardNumber: string;
                /** Format: date-time */
                createdAt: string;
                /** @description why the letter is held (its address cannot be laid out, its card opposed, a letter of its card returned...) */
                heldReason: string | null;
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                kind: "card-letter" | "pin-letter";
                /** Format: uuid */
                orderId: string;
                /** Format: date-time */
                printedAt: string | null;
                /**
                 * Format: uuid
                 * @description the letter of the codes this one prints again
                 */
                reprintOf: string | null;
                /** Format: date-time */
                returnedAt: string | null;
                /** @description its place in its batch */
                sequence: number | null;
                /** @enum {string} */
                state: "held" | "waiting" | "batched" | "printed" | "returned";
            }[];
            nationalId: string;
            /** @description cards claimed for it at personalization (it fails past PERSONALIZATION_MAX_ATTEMPTS; a retry starts again from 0) */
            personalizationAttempts: number;
            professionCode: string;
            /** @description the label of the profession (TRE_G15), null for an unlisted code */
            professionLabel: string | null;
            /** @enum {string} */
            reason: "first-issue" | "renewal" | "content-change" | "replacement" | "manual";
            /** @description the card it replaces */
            replacesCard: string | null;
            /** Format: date-time */
            requestedAt: string;
            requestedBy: string;
            /**
             * Format: uuid
             * @description who asked for it (null: by policy): another person approves
             */
            requestedByPrincipal: string | null;
            /** @description the chips spoiled for it at personalization (to be destroyed, never mailed) */
            spoiledCards: {
                /** @description the number it was being written with */
                cardNumber: string | null;
                chipSerial: string;
                errorCode: string;
                /** Format: date-time */
                spoiledAt: string;
                stage: string;
            }[];
            /** @enum {string} */
            status: "requested" | "approved" | "personalizing" | "personalized" | "card-letter-sent" | "pin-letter-sent" | "closed" | "rejected" | "cancelled" | "failed";
            /** @description why it is in its state, when a step said */
            statusReason: string | null;
            /** @description created, approved, rejected, cancelled, failed, retried, personalized, card-letter-sent, pin-letter-sent, closed */
            timeline: {
                /** Format: date-time */
                at: string;
                /** @description who or what made the step, when the record says */
                by: string | null;
                /** @description why, when the record says (opposition, rejection, cancellation, failure, closing) */
                reason: string | null;
                /** @enum {string} */
                step: "created" | "approved" | "rejected" | "cancelled" | "failed" | "retried" | "personalized" | "card-letter-sent" | "pin-letter-sent" | "closed";
            }[];
            /** Format: date-time */
            updatedAt: string;
        };
        OrderReasonBody: {
            reason: string;
        };
        OrdersPage_Output: {
            items: {
                /** Format: date-time */
                approvedAt: string | null;
                /** @description who approved it (policy for an order approved by policy) */
                approvedBy: string | null;
                /** Format: uuid */
                approvedByPrincipal: string | null;
                /** @enum {string} */
                cardType: "CPS" | "CPF" | "CPE" | "CPA";
                /** @description the card content frozen at approval (as the registry said then), null before */
                content: {
                    categoryCode: string;
                    civilityCode: string;
                    civilityPracticeCode: string;
                    firstName: string;
                    lastName: string;
                    nationalId: string;
                    professionCode: string;
                    /** @description up to 8 practice situations of that profession */
                    situations: {
                        city: string;
                        finessSite: string;
                        modeCode: string;
                        postalCode: string;
                        sectorCode: string;
                        siret: string;
                        siteName: string;
                        streetLabel: string;
                        streetNumber: string;
                        streetTypeLabel: string;
                        structureId: string;
                    }[];
                    specialtyCode: string;
                    specialtyTypeCode: string;
                } | null;
                /** @description CPS3 or CPS4, once approved */
                generation: string | null;
                /** Format: uuid */
                id: string;
                nationalId: string;
                /** @description cards claimed for it at personalization (it fails past PERSONALIZATION_MAX_ATTEMPTS; a retry starts again from 0) */
                personalizationAttempts: number;
                professionCode: string;
                /** @description the label of the profession (TRE_G15), null for an unlisted code */
                professionLabel: string | null;
                /** @enum {string} */
                reason: "first-issue" | "renewal" | "content-change" | "replacement" | "manual";
                /** @description the card it replaces */
                replacesCard: string | null;
                /** Format: date-time */
                requestedAt: string;
                requestedBy: string;
                /**
                 * Format: uuid
                 * @description who asked for it (null: by policy): another person approves
                 */
                requestedByPrincipal: string | null;
                /** @enum {string} */
                status: "requested" | "approved" | "personalizing" | "personalized" | "card-letter-sent" | "pin-letter-sent" | "closed" | "rejected" | "cancelled" | "failed";
                /** @description why it is in its state, when a step said */
                statusReason: string | null;
                /** Format: date-time */
                updatedAt: string;
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        PrintedAnswer_Output: {
            /** Format: uuid */
            batchId: string;
            /** @description card letters: their cards personalized → sent */
            cardsSent: number;
            /** @enum {string} */
            kind: "card-letter" | "pin-letter";
            /** @description the letters recorded printed (those to pull out are not) */
            letters: number;
            number: number;
            /**
             * @description kept: card letters; removed: the PDF of letters of the codes deleted from the spool; pending: not in this process’s spool, deleted by the next mailing run
             * @enum {string}
             */
            pdf: "kept" | "removed" | "pending";
            /** @description the letters to take out of the printed batch before it is posted: never mailed, their cards not sent */
            pullOut: {
                cardLast4: string;
                /** Format: uuid */
                letterId: string;
                /** @enum {string} */
                reason: "card opposed" | "letter returned" | "opposition requested";
                sequence: number;
            }[];
        };
        ProfessionalDetail_Output: {
            /** @description their cards, latest first (GET /api/v1/cards/:cardNumber: a card with its timeline and letters) */
            cards: {
                cardNumber: string;
                /** @enum {string} */
                cardType: "CPS" | "CPF" | "CPE" | "CPA";
                /** @description the serial of its chip, null for a card brought in by cards:import */
                chipSerial: string | null;
                /** Format: date-time */
                createdAt: string;
                firstName: string;
                /** @description CPS3 or CPS4 */
                generation: string | null;
                lastName: string;
                nationalId: string;
                nationalIdInCard: string;
                /** Format: date-time */
                opposedAt: string | null;
                /** @description why it was opposed (null for a card the old base handed over opposed) */
                oppositionReason: string | null;
                /** Format: uuid */
                orderId: string | null;
                professionCode: string;
                /** @description the label of the profession (TRE_G15), null for an unlisted code */
                professionLabel: string | null;
                /** @description the card it replaces */
                replacesCard: string | null;
                /** @enum {string} */
                source: "order" | "import";
                /** @enum {string} */
                state: "personalized" | "sent" | "active" | "opposed";
                /** Format: date-time */
                updatedAt: string;
                /** Format: date */
                validFrom: string;
                /** Format: date */
                validUntil: string;
            }[];
            /** Format: date-time */
            ceasedAt: string | null;
            civilityCode: string;
            civilityPracticeCode: string;
            /** @description the latest 50 registry events that touched them, newest first */
            events: {
                /**
                 * Format: date
                 * @description the day of that import’s extract
                 */
                asOf: string | null;
                /** Format: date-time */
                createdAt: string;
                /** @description what changed, as recorded (professions, names before and after, the identifier migrated from...) */
                details: {
                    [key: string]: unknown;
                };
                id: string;
                /**
                 * Format: uuid
                 * @description the import that emitted it (or whose candidate migration was decided)
                 */
                importId: string;
                /** @enum {string} */
                kind: "NEW_PROFESSIONAL" | "PROFESSION_ADDED" | "PROFESSION_REMOVED" | "IDENTITY_CHANGED" | "SITUATION_CHANGED" | "IDENTIFIER_MIGRATED" | "CEASED";
                /** @description the profession added or removed */
                professionCode: string | null;
                /** @description the label of the profession (TRE_G15), null for an unlisted code */
                professionLabel: string | null;
                /** @description what changed, in a few words (English) */
                summary: string;
            }[];
            firstName: string;
            identifier: string;
            /** @description 0: ADELI, 8: RPPS */
            idType: string;
            /** @description the name of practice */
            lastName: string;
            /** @description the RPPS identifier an ADELI one migrated to */
            migratedTo: string | null;
            nationalId: string;
            professions: {
                categoryCode: string;
                professionCode: string;
                /** @description the label of the profession (TRE_G15), null for an unlisted code */
                professionLabel: string | null;
                specialtyCode: string;
                specialtyTypeCode: string;
            }[];
            /** @description practice situations, in the order of the extract ("" for a field the extract leaves empty) */
            situations: {
                cedex: string;
                city: string;
                countryCode: string;
                countryLabel: string;
                distributionMention: string;
                finessLegal: string;
                finessSite: string;
                geoComplement: string;
                modeCode: string;
                postalCode: string;
                professionCode: string;
                /** @description the label of the profession (TRE_G15), null for an unlisted code */
                professionLabel: string | null;
                recipientComplement: string;
                registrationAuthority: string;
                repetitionIndex: string;
                sectorCode: string;
                siren: string;
                siret: string;
                siteName: string;
                streetLabel: string;
                streetNumber: string;
                streetTypeLabel: string;
                structureId: string;
            }[];
            /** @enum {string} */
            status: "active" | "ceased";
        };
        ReprintBody: {
            reason: string;
        };
        ReprintDecided_Output: {
            /**
             * Format: uuid
             * @description approved: the new letter of the codes, waiting for the next batch
             */
            letterId: string | null;
            /** Format: uuid */
            requestId: string;
            /** @enum {string} */
            state: "approved" | "rejected";
        };
        ReprintRequested_Output: {
            /**
             * Format: uuid
             * @description GET /api/v1/mailing/reprints lists it; another operator approves or rejects it
             */
            requestId: string;
        };
        ReprintsPage_Output: {
            items: {
                batchNumber: number | null;
                cardNumber: string;
                /** Format: date-time */
                decidedAt: string | null;
                /** @description who approved or rejected it */
                decidedBy: string | null;
                /** Format: uuid */
                id: string;
                /**
                 * Format: uuid
                 * @description the printed letter of the codes to print again
                 */
                letterId: string;
                /** Format: uuid */
                orderId: string;
                /** Format: date-time */
                printedAt: string | null;
                reason: string;
                /**
                 * Format: uuid
                 * @description the new letter, once approved
                 */
                reprintLetterId: string | null;
                /** Format: date-time */
                requestedAt: string;
                requestedBy: string;
                /**
                 * Format: uuid
                 * @description who asked: another person decides
                 */
                requestedByPrincipal: string;
                sequence: number | null;
                /** @enum {string} */
                state: "pending" | "approved" | "rejected";
            }[];
            /** @description 1-based */
            page: number;
            pageSize: number;
            /** @description how many match, all pages together, counted up to 10000 (see totalIsLowerBound) */
            total: number;
            /** @description true when more match than were counted: total is then a lower bound */
            totalIsLowerBound: boolean;
        };
        ReturnedAnswer_Output: {
            cardNumber: string;
            /** Format: uuid */
            letterId: string;
            /** @description the card's other letters not in a batch yet, held (letter returned) */
            lettersHeld: number;
            oppositionRequested: boolean;
            /** @description why no opposition was requested or no replacement ordered; null when both were */
            reason: string | null;
            /** Format: uuid */
            replacementOrderId: string | null;
        };
        /** @default {} */
        ReturnedBody: {
            /** @description the text of the letter's barcode, `B<batch number>-<sequence>` */
            barcode?: string;
            comment?: string;
        };
        SearchAnswer_Output: {
            items: {
                /** @description no longer in practice (a name finds people in practice only) */
                ceased: boolean;
                firstName: string;
                lastName: string;
                /** @description the card whose number was searched, and its state */
                matchedCard?: {
                    cardNumber: string;
                    /** @enum {string} */
                    status: "personalized" | "sent" | "active" | "opposed";
                };
                nationalId: string;
                /** @description their labels, in the same order (the code itself for an unlisted one) */
                professionLabels: string[];
                /** @description profession codes (TRE_G15), in code order; none for a professional who ceased */
                professions: string[];
            }[];
            /**
             * @description what q was taken for
             * @enum {string}
             */
            kind: "name" | "nationalId" | "cardNumber";
            page: number;
            pageSize: number;
            /** @description q as read (trimmed) */
            query: string;
            total: number;
            /** @description more match than were counted (a name search counts up to 1,000) */
            totalIsLowerBound: boolean;
        };
        SessionAnswer_Output: {
            /** @description sent back in X-CSRF-Token with every request that changes something (not GET, HEAD, OPTIONS) */
            csrfToken: string;
            /**
             * Format: date-time
             * @description the session ends then, however used
             */
            expiresAt: string;
            /** @description the session ends after this long without a request */
            idleTimeoutSeconds: number;
            principal: {
                /** @description the email of the account, if it has one */
                email: string | null;
                /** Format: uuid */
                id: string;
                name: string;
            };
            /** @description every role of the account */
            roles: ("operator" | "helpdesk" | "auditor" | "admin")[];
        };
        SetPasswordBody: {
            /** @description 12 to 128 characters, not the principal's name or email */
            password: string;
            /** @description the token of the set-password link (after #jeton=) */
            token: string;
        };
        SignInBody: {
            /** @description the principal's name or the account's email, any case */
            login: string;
            password: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    AuditController_list: {
        parameters: {
            query?: {
                after?: string;
                entity?: string;
                from?: string;
                id?: string;
                limit?: string;
                page?: string;
                pageSize?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditTrailPage_Output"];
                };
            };
        };
    };
    AuditController_listCheckpoints: {
        parameters: {
            query?: {
                after?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditCheckpointsAnswer_Output"];
                };
            };
        };
    };
    AuditController_verification: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditVerificationAnswer_Output"];
                };
            };
        };
    };
    CardsController_list: {
        parameters: {
            query: {
                nationalId: string;
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CardsPage_Output"];
                };
            };
        };
    };
    CardsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CardDetail_Output"];
                };
            };
        };
    };
    CardsController_activate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ActivatedCard_Output"];
                };
            };
        };
    };
    OppositionsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OppositionAnswer_Output"];
                };
            };
        };
    };
    OppositionsController_declare: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeclareOppositionBody"];
            };
        };
        responses: {
            /** @description the card was opposed before: its opposition, nothing recorded now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeclaredOpposition_Output"];
                };
            };
            /** @description the card opposed now, and its replacement ordered when the reason calls for one */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeclaredOpposition_Output"];
                };
            };
        };
    };
    OppositionsController_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CardStatusAnswer_Output"];
                };
            };
        };
    };
    CrlsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CrlsAnswer_Output"];
                };
            };
        };
    };
    EncodersController_list: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EncodersPage_Output"];
                };
            };
        };
    };
    EncodersController_reset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the station id `<host>/<reader>`, URL-encoded (encodeURIComponent: `/` as %2F) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EncoderStationAnswer_Output"];
                };
            };
        };
    };
    RppsController_imports: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportsPage_Output"];
                };
            };
        };
    };
    RppsController_enqueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EnqueueImportBody"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportQueued_Output"];
                };
            };
        };
    };
    RppsController_getImport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportDetail_Output"];
                };
            };
        };
    };
    RppsController_confirmImport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportConfirmed_Output"];
                };
            };
        };
    };
    RppsController_importRejects: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportRejectsPage_Output"];
                };
            };
        };
    };
    JobsController_list: {
        parameters: {
            query?: {
                kind?: string;
                page?: string;
                pageSize?: string;
                state?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobsPage_Output"];
                };
            };
        };
    };
    JobsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobRunDetail_Output"];
                };
            };
        };
    };
    MailingController_batches: {
        parameters: {
            query?: {
                kind?: string;
                page?: string;
                pageSize?: string;
                state?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchesPage_Output"];
                };
            };
        };
    };
    MailingController_batch: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchDetail_Output"];
                };
            };
        };
    };
    MailingController_printed: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrintedAnswer_Output"];
                };
            };
        };
    };
    MailingController_letter: {
        parameters: {
            query: {
                barcode: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LetterByBarcode_Output"];
                };
            };
        };
    };
    MailingController_reprint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReprintBody"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReprintRequested_Output"];
                };
            };
        };
    };
    MailingController_returned: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ReturnedBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReturnedAnswer_Output"];
                };
            };
        };
    };
    MailingController_reprints: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                state?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReprintsPage_Output"];
                };
            };
        };
    };
    MailingController_approve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReprintDecided_Output"];
                };
            };
        };
    };
    MailingController_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReprintDecided_Output"];
                };
            };
        };
    };
    OrdersController_list: {
        parameters: {
            query?: {
                cardType?: string;
                nationalId?: string;
                olderThanDays?: string;
                page?: string;
                pageSize?: string;
                reason?: string;
                status?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrdersPage_Output"];
                };
            };
        };
    };
    OrdersController_create: {
        parameters: {
            query?: never;
            header?: {
                /** @description a retry with the same key returns the same order */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateOrderBody"];
            };
        };
        responses: {
            /** @description the same order, for an Idempotency-Key seen before */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAnswer_Output"];
                };
            };
            /** @description the new order, waiting for a second person’s approval */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAnswer_Output"];
                };
            };
        };
    };
    OrdersController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderDetail_Output"];
                };
            };
        };
    };
    OrdersController_approve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAnswer_Output"];
                };
            };
        };
    };
    OrdersController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderReasonBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAnswer_Output"];
                };
            };
        };
    };
    OrdersController_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderReasonBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAnswer_Output"];
                };
            };
        };
    };
    OrdersController_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderReasonBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderAnswer_Output"];
                };
            };
        };
    };
    RppsController_search: {
        parameters: {
            query?: {
                name?: string;
                page?: string;
                pageSize?: string;
                profession?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ProfessionalsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                nationalId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProfessionalDetail_Output"];
                };
            };
        };
    };
    RppsController_listMigrations: {
        parameters: {
            query?: {
                page?: string;
                pageSize?: string;
                status?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MigrationsPage_Output"];
                };
            };
        };
    };
    RppsController_confirm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the migration, confirmed (IDENTIFIER_MIGRATED emitted) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MigrationDecided_Output"];
                };
            };
        };
    };
    RppsController_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the migration, rejected (CEASED and NEW_PROFESSIONAL emitted) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MigrationDecided_Output"];
                };
            };
        };
    };
    ProfessionalsController_search: {
        parameters: {
            query: {
                page?: string;
                pageSize?: string;
                /** @description a name (accents, case and punctuation ignored; each word the start of a word of the name), a national identifier (8 + RPPS, 0 + ADELI), an RPPS or ADELI number, or a card number */
                q: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchAnswer_Output"];
                };
            };
        };
    };
    SessionController_current: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionAnswer_Output"];
                };
            };
        };
    };
    SessionController_signIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignInBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionAnswer_Output"];
                };
            };
        };
    };
    SessionController_signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed out; the cookie is cleared */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionController_setPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetPasswordBody"];
            };
        };
        responses: {
            /** @description the password is set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    HealthController_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    HealthController_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    HealthController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CrlController_crl: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CrlController_deltaCrl: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CrlController_issuer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
