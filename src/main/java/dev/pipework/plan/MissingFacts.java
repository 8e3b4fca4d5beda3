package dev.pipework.plan;

/** Thrown by the planner when it needs a fact it was not given; the front end answers it and asks again. */
public final class MissingFacts extends RuntimeException {
    private final transient Question question;

    public MissingFacts(Question question) {
        super("the planner needs " + question.key().replace(Question.SEP, " "), null, false, false);
        this.question = question;
    }

    public Question question() {
        return question;
    }
}
