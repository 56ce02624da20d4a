from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints import classification, selectors

DEFAULT_DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "olist" / "olist_classified_public_dataset.csv"


class Command(BaseCommand):
    help = (
        "Evaluate the complaint classifier on a held-out split of labelled complaints (`evaluate`), "
        "or train it on all of them and save it for intake (`train`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["evaluate", "train"])
        parser.add_argument(
            "--data", type=Path, default=DEFAULT_DATA, help="Olist's olist_classified_public_dataset.csv"
        )

    def handle(self, *args, action, data, **options):
        if not data.is_file():
            raise CommandError(f"No labelled data at {data}.")
        pairs = list(classification.olist_labelled(data))
        if action == "evaluate":
            result = classification.evaluate(pairs)
            self.stdout.write(
                f"labelled complaints: {len(pairs)} (train {result.train_size}, held out {result.test_size})"
            )
            self.stdout.write(f"majority-class baseline: {result.majority_baseline:.1%}")
            self.stdout.write(f"keyword rules alone:     {result.rules_accuracy:.1%}")
            self.stdout.write(f"trained model alone:     {result.model_accuracy:.1%}")
            self.stdout.write(f"accuracy (model + rules): {result.combined_accuracy:.1%}")
            return
        corrections = list(selectors.category_corrections())
        pairs += corrections
        model = classification.TextModel.train([text for text, _ in pairs], [label for _, label in pairs])
        path = Path(settings.COMPLAINT_CLASSIFIER_PATH)
        model.save(path)
        self.stdout.write(
            f"Trained on {len(pairs)} labelled complaints ({len(corrections)} staff corrections); saved to {path}."
        )
