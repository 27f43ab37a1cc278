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
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_check"];
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
                page: number;
                pageSize: number;
                total: number;
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
            page: number;
            pageSize: number;
            total: number;
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
        CreateOrderBody: {
            /** @enum {string} */
            cardType: "CPS" | "CPF" | "CPE" | "CPA";
            nationalId: string;
            professionCode: string;
            /** @enum {string} */
            reason: "first-issue" | "renewal" | "content-change" | "replacement" | "manual";
            replacesCard?: string;
        };
        DeclareOppositionBody: {
            /** @enum {string} */
            channel: "phone" | "form" | "portal" | "registry";
            comment?: string;
            invalidityDate?: string;
            reason: string;
            verification: string;
        };
        EnqueueImportBody: {
            asOf?: string;
            files: string[];
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
            /** @description the card content frozen at approval */
            content: {
                [key: string]: unknown;
            } | null;
            /** @description CPS3 or CPS4 */
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
            /** Format: uuid */
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
        ReprintBody: {
            reason: string;
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
            page: number;
            pageSize: number;
            total: number;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
            };
        };
    };
    OrdersController_list: {
        parameters: {
            query?: {
                nationalId?: string;
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
                content?: never;
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
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
                content?: never;
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
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
    HealthController_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Health Check is successful */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @example {} */
                        error?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example ok */
                        status?: string;
                    };
                };
            };
            /** @description The Health Check is not successful */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       },
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect"
                         *       }
                         *     }
                         */
                        details?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /**
                         * @example {
                         *       "redis": {
                         *         "status": "down",
                         *         "message": "Could not connect"
                         *       }
                         *     }
                         */
                        error?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /**
                         * @example {
                         *       "database": {
                         *         "status": "up"
                         *       }
                         *     }
                         */
                        info?: {
                            [key: string]: {
                                status: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } | null;
                        /** @example error */
                        status?: string;
                    };
                };
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
